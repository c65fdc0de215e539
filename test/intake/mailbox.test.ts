// Mailboxes read over IMAP from a real Dovecot, into the PostgreSQL server: each message's
// invoices once, whatever happens between reading and marking (a second read, two readers, the
// reader killed with SIGKILL, Dovecot restarted), and hostile mail refused with its reason while
// the mailbox keeps being read.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Queue } from '../../src/queue/queue.ts';
import { PROCESS_INVOICE } from '../../src/invoices/jobs.ts';
import { defaultMailLimits } from '../../src/intake/mail.ts';
import { type Mailbox, TAKEN_KEYWORD, addMailbox, pollMailbox, startMailboxWatch } from '../../src/intake/mailbox.ts';
import { openSecret } from '../../src/intake/secret.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { buildMessage, type Dovecot, startDovecot } from '../support/dovecot.ts';
import { mailCorpus } from '../support/mail-corpus.ts';
import { sleep, waitFor } from '../support/wait.ts';
import { makeZip } from '../support/zip.ts';

const BIN = fileURLToPath(new URL('../../bin/facteur.js', import.meta.url));
const KEY = randomBytes(32);
const logger = pino({ level: 'silent' });
const LIMITS = defaultMailLimits(20 * 1024 * 1024);

describe('mailboxes over IMAP (Dovecot)', () => {
  let dovecot: Dovecot;
  let test: TestDb;
  let queue: Queue;
  let folder: string;
  let mailbox: Mailbox & { password: string };

  beforeAll(async () => {
    dovecot = await startDovecot();
  }, 30_000);
  afterAll(async () => {
    await dovecot?.dispose();
  });

  beforeEach(async () => {
    test = await openServerDb(requireServerUrl());
    queue = new Queue(test.db, { tasks: [PROCESS_INVOICE] });
    folder = `t${randomBytes(4).toString('hex')}`;
    const client = await dovecot.client();
    await client.mailboxCreate(folder);
    await client.logout();
    const added = await addMailbox(test.db, KEY, {
      owner: 'acme',
      name: 'factures',
      host: dovecot.host,
      port: dovecot.port,
      tls: false,
      username: dovecot.user,
      password: dovecot.password,
      folder,
      processedFolder: null,
    });
    mailbox = { ...added, password: dovecot.password };
  });
  afterEach(async () => {
    await test.drop();
  });

  const deps = () => ({ db: test.db, queue, logger });
  const append = async (messages: readonly Buffer[]) => {
    const client = await dovecot.client();
    for (const raw of messages) await client.append(folder, raw);
    await client.logout();
  };
  const pollUntilEmpty = async () => {
    for (;;) {
      const report = await pollMailbox(deps(), mailbox, { limits: LIMITS, batch: 100 });
      if (report.taken + report.refused + report.again === 0) return;
    }
  };
  const counts = async () => {
    const { rows } = await test.db.query<{ invoices: string; messages: string; distinct_files: string; jobs: string }>(
      `SELECT (SELECT count(*) FROM invoices WHERE owner = 'acme' AND source = 'mailbox') AS invoices,
              (SELECT count(DISTINCT file_name) FROM invoices WHERE owner = 'acme') AS distinct_files,
              (SELECT count(*) FROM mail_messages WHERE owner = 'acme' AND status = 'taken') AS messages,
              (SELECT count(*) FROM processing_queue) AS jobs`,
    );
    return {
      invoices: Number(rows[0]!.invoices),
      distinctFiles: Number(rows[0]!.distinct_files),
      messages: Number(rows[0]!.messages),
      jobs: Number(rows[0]!.jobs),
    };
  };
  const unmarked = async () => {
    const client = await dovecot.client();
    const lock = await client.getMailboxLock(folder);
    try {
      return ((await client.search({ unKeyword: TAKEN_KEYWORD }, { uid: true })) || []).length;
    } finally {
      lock.release();
      await client.logout();
    }
  };

  it('stores the password sealed, readable only with the key and for its owner', async () => {
    const { rows } = await test.db.query<{ sealed_password: string }>(`SELECT sealed_password FROM mailboxes`);
    expect(rows[0]!.sealed_password).not.toContain(dovecot.password);
    expect(openSecret(rows[0]!.sealed_password, KEY, 'acme')).toBe(dovecot.password);
    expect(() => openSecret(rows[0]!.sealed_password, KEY, 'other')).toThrow(/does not open/);
    expect(() => openSecret(rows[0]!.sealed_password, randomBytes(32), 'acme')).toThrow(/does not open/);
  });

  it('200 messages with 1–5 mixed attachments: exactly the expected invoices, once, even read again and by two readers', async () => {
    const corpus = mailCorpus(200);
    const expected = corpus.reduce((sum, message) => sum + message.invoices, 0);
    await append(corpus.map((message) => message.raw));
    // Two readers at once on the same mailbox.
    await Promise.all([pollUntilEmpty(), pollUntilEmpty()]);
    expect(await counts()).toEqual({ invoices: expected, distinctFiles: expected, messages: 200, jobs: expected });
    expect(await unmarked()).toBe(0);
    // The marks lost (a crash between commit and mark): everything is read again, nothing stored again.
    const client = await dovecot.client();
    const lock = await client.getMailboxLock(folder);
    await client.messageFlagsRemove('1:*', [TAKEN_KEYWORD]);
    lock.release();
    await client.logout();
    const again = await pollMailbox(deps(), mailbox, { limits: LIMITS, batch: 500 });
    expect(again).toMatchObject({ taken: 0, refused: 0, again: 200, invoices: 0 });
    expect(await counts()).toEqual({ invoices: expected, distinctFiles: expected, messages: 200, jobs: expected });
    const { rows } = await test.db.query<{ source: string; source_details: Record<string, string> }>(
      `SELECT source, source_details FROM invoices WHERE file_name = 'corpus-7-0.pdf'`,
    );
    expect(rows).toEqual([
      {
        source: 'mailbox',
        source_details: {
          mailbox: 'factures',
          from: 'Fournisseur <factures@fournisseur.example>',
          subject: 'Facture corpus 7',
          date: '2026-12-01T10:00:00.000Z',
        },
      },
    ]);
  }, 120_000);

  it('moves taken messages to the processed folder when one is set', async () => {
    await test.db.query(`UPDATE mailboxes SET processed_folder = $1`, [`${folder}.done`]);
    mailbox = { ...mailbox, processedFolder: `${folder}.done` };
    await append(mailCorpus(3, 'move').map((message) => message.raw));
    await pollUntilEmpty();
    const client = await dovecot.client();
    const left = (await client.status(folder, { messages: true })) || { messages: -1 };
    const moved = (await client.status(`${folder}.done`, { messages: true })) || { messages: -1 };
    await client.logout();
    expect([left.messages, moved.messages]).toEqual([0, 3]);
  });

  it('the reader killed with SIGKILL mid-poll and restarted: the same invoices, once', async () => {
    const corpus = mailCorpus(200, 'kill');
    const expected = corpus.reduce((sum, message) => sum + message.invoices, 0);
    await append(corpus.map((message) => message.raw));
    const reader = () => {
      const child: ChildProcess = spawn(process.execPath, [BIN, 'mailbox', 'watch', '--interval', '50ms', '--batch', '20'], {
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          DATABASE_URL: test.url!,
          FACTEUR_SECRET_KEY: KEY.toString('hex'),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return {
        child,
        exited: new Promise<{ signal: string | null; stderr: string }>((resolve) =>
          child.on('close', (_code, signal) => resolve({ signal, stderr })),
        ),
      };
    };
    const takenAtKill: number[] = [];
    for (let round = 0; round < 6 && (await counts()).messages < 200; round++) {
      const before = (await counts()).messages;
      const running = reader();
      // Killed once it has taken a few more messages: in the middle of a poll.
      await waitFor('some messages taken', async () => (await counts()).messages >= Math.min(200, before + 15), 60_000, 10).catch(() => {});
      running.child.kill('SIGKILL');
      expect((await running.exited).signal).toBe('SIGKILL');
      takenAtKill.push((await counts()).messages);
    }
    expect(takenAtKill.some((taken) => taken > 0 && taken < 200)).toBe(true);
    const last = reader();
    await waitFor('every message taken and marked', async () => (await counts()).messages === 200 && (await unmarked()) === 0, 90_000, 100);
    last.child.kill('SIGTERM');
    expect((await last.exited).stderr).toBe('');
    expect(await counts()).toEqual({ invoices: expected, distinctFiles: expected, messages: 200, jobs: expected });
  }, 240_000);

  it('Dovecot restarted mid-poll: the reader goes on at its next round, the same invoices, once', async () => {
    const corpus = mailCorpus(200, 'restart');
    const expected = corpus.reduce((sum, message) => sum + message.invoices, 0);
    await append(corpus.map((message) => message.raw));
    const watch = startMailboxWatch(deps(), KEY, { limits: LIMITS, batch: 50, intervalMs: 50 });
    try {
      await waitFor('some messages taken', async () => (await counts()).messages >= 30, 60_000, 10);
      await dovecot.stop();
      expect((await counts()).messages).toBeLessThan(200);
      await sleep(300);
      await dovecot.start();
      await waitFor(
        'every message taken and marked',
        async () => (await counts()).messages === 200 && (await unmarked()) === 0,
        90_000,
        100,
      );
    } finally {
      await watch.stop();
    }
    expect(await counts()).toEqual({ invoices: expected, distinctFiles: expected, messages: 200, jobs: expected });
  }, 180_000);

  it('hostile mail is refused with a reason recorded on the message, and the mailbox keeps being read', async () => {
    const pdf = Buffer.from('%PDF-1.4\n% a tiny pdf\n%%EOF\n');
    const headerBomb = Buffer.from(
      `From: a@b.example\r\nMessage-ID: <headers@x>\r\nSubject: ${'x'.repeat(300 * 1024)}\r\nContent-Type: text/plain\r\n\r\nhello\r\n`,
    );
    // 40 nested multiparts, each opened and never closed.
    const nested = [
      'From: a@b.example',
      'Message-ID: <nested@x>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b0"',
      '',
      ...Array.from({ length: 40 }, (_, i) => `--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n`),
      'end',
    ].join('\r\n');
    const big = buildMessage({
      messageId: 'big@x',
      attachments: [{ name: 'huge.pdf', type: 'application/pdf', content: Buffer.concat([pdf, randomBytes(100 * 1024 * 1024)]) }],
    });
    const hostile = [
      buildMessage({
        messageId: 'many@x',
        attachments: Array.from({ length: 1000 }, (_, i) => ({ name: `f${i}.pdf`, type: 'application/pdf', content: pdf })),
      }),
      buildMessage({
        messageId: 'bomb@x',
        attachments: [
          { name: 'factures.zip', type: 'application/zip', content: makeZip([{ name: 'f.pdf', content: Buffer.alloc(30 * 1024 * 1024) }]) },
        ],
      }),
      big,
      Buffer.from(nested),
      buildMessage({ messageId: 'path@x', attachments: [{ name: '../../etc/facture.pdf', type: 'application/pdf', content: pdf }] }),
      headerBomb,
      buildMessage({ messageId: 'after@x', attachments: [{ name: 'good.pdf', type: 'application/pdf', content: pdf }] }),
    ];
    await append(hostile);
    const before = process.memoryUsage().rss;
    await pollUntilEmpty();
    // The 100 MB message was refused on its declared size: never downloaded into this process.
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
    const { rows } = await test.db.query<{ message_id: string | null; status: string; reason_code: string | null; invoices: number }>(
      `SELECT message_id, status, reason_code, cardinality(invoice_ids) AS invoices FROM mail_messages ORDER BY message_id`,
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { message_id: '<many@x>', status: 'refused', reason_code: 'TOO_MANY_ATTACHMENTS', invoices: 0 },
        { message_id: '<bomb@x>', status: 'refused', reason_code: 'ZIP_BOMB', invoices: 0 },
        { message_id: '<big@x>', status: 'refused', reason_code: 'MESSAGE_TOO_LARGE', invoices: 0 },
        { message_id: expect.stringMatching(/nested@x/), status: 'refused', reason_code: 'MALFORMED_MESSAGE', invoices: 0 },
        { message_id: '<path@x>', status: 'refused', reason_code: 'UNSAFE_FILE_NAME', invoices: 0 },
        { message_id: expect.stringMatching(/headers@x/), status: 'refused', reason_code: 'MALFORMED_MESSAGE', invoices: 0 },
        { message_id: '<after@x>', status: 'taken', reason_code: null, invoices: 1 },
      ]),
    );
    expect(rows).toHaveLength(7);
    expect(await unmarked()).toBe(0);
  }, 180_000);
});
