// A real Dovecot (Debian's dovecot-imapd) for the mail tests, started as a child process with
// test/support/dovecot/dovecot.conf: one user with a plain password, Maildir under a temporary
// folder, IMAP on a free loopback port. Messages are put in with IMAP APPEND, as a mail server would.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import { freePort } from './ports.ts';
import { sleep } from './wait.ts';

const TEMPLATE = fileURLToPath(new URL('./dovecot/dovecot.conf', import.meta.url));

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Stops the server (SIGTERM) and waits until it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port and Maildir. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
  /** An IMAP client logged in as the test user (for APPEND and checks). */
  client(): Promise<ImapFlow>;
}

const id = (flag: '-u' | '-g', user: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());

/** True when a greeting comes from the port. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('* OK'));
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startDovecot(): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'facteur-dovecot-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const root = process.getuid?.() === 0;
  // As root, Dovecot refuses to run its login and mail processes as root: Debian's own users do.
  const mailUid = root ? id('-u', 'dovecot') : process.getuid!();
  const mailGid = root ? id('-g', 'dovecot') : process.getgid!();
  const me = userInfo().username;
  const home = join(dir, 'home');
  mkdirSync(home);
  mkdirSync(join(dir, 'state'));
  if (root) chownSync(home, mailUid, mailGid);
  const user = 'facteur';
  const password = 'secret-for-tests';
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}:${mailUid}:${mailGid}::${home}::\n`);
  const config = readFileSync(TEMPLATE, 'utf8')
    .replaceAll('@DIR@', dir)
    .replaceAll('@PORT@', String(port))
    .replaceAll('@INTERNAL_USER@', root ? 'dovecot' : me)
    .replaceAll('@INTERNAL_GROUP@', root ? 'dovecot' : (execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim() as string))
    .replaceAll('@LOGIN_USER@', root ? 'dovenull' : me)
    .replaceAll('@FIRST_UID@', String(Math.min(mailUid, 100)));
  const configPath = join(dir, 'dovecot.conf');
  writeFileSync(configPath, config);

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    const started = spawn('dovecot', ['-F', '-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    started.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child = started;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    const deadline = Date.now() + 20_000;
    while (!(await greets(port))) {
      if (started.exitCode !== null || Date.now() > deadline) {
        let log = '';
        try {
          log = readFileSync(join(dir, 'dovecot.log'), 'utf8');
        } catch {}
        throw new Error(`Dovecot did not start: ${stderr}\n${log}`);
      }
      await sleep(50);
    }
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await exited;
    child = null;
  };
  await start();
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    start,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    client: async () => {
      const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
      client.on('error', () => {});
      await client.connect();
      return client;
    },
  };
}

/** Base64 in lines of 76 characters, built without one array entry per line (100 MB messages). */
function base64Lines(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < text.length; at += 76) lines.push(text.slice(at, at + 76));
  return lines.join('\r\n');
}

/** A MIME message with the given attachments (base64), as a mail client would send it. */
export function buildMessage(options: {
  messageId?: string;
  from?: string;
  subject?: string;
  date?: Date;
  attachments: { name: string; type: string; content: Uint8Array; inline?: boolean }[];
}): Buffer {
  const boundary = `=_facteur_${Math.random().toString(36).slice(2)}`;
  const lines = [
    `From: ${options.from ?? 'Fournisseur <factures@fournisseur.example>'}`,
    'To: compta@acme.example',
    `Subject: ${options.subject ?? 'Votre facture'}`,
    `Date: ${(options.date ?? new Date('2026-12-01T10:00:00Z')).toUTCString()}`,
    ...(options.messageId ? [`Message-ID: <${options.messageId}>`] : []),
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Bonjour, veuillez trouver ci-joint notre facture.',
  ];
  for (const attachment of options.attachments) {
    lines.push(
      `--${boundary}`,
      `Content-Type: ${attachment.type}; name="${attachment.name}"`,
      `Content-Disposition: ${attachment.inline ? 'inline' : 'attachment'}; filename="${attachment.name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(attachment.content),
    );
  }
  lines.push(`--${boundary}--`, '');
  return Buffer.from(lines.join('\r\n'));
}
