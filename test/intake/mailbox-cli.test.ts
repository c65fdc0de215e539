// `facteur mailbox add|list|remove|test` as a person runs them, against a real Dovecot and the
// PostgreSQL server: the password from the environment or standard input, never printed or stored
// in clear; a wrong password is told as such by `test`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { type Dovecot, startDovecot } from '../support/dovecot.ts';

const BIN = fileURLToPath(new URL('../../bin/facteur.js', import.meta.url));

describe('facteur mailbox', () => {
  let dovecot: Dovecot;
  let test: TestDb;
  const key = randomBytes(32).toString('hex');

  beforeAll(async () => {
    dovecot = await startDovecot();
    test = await openServerDb(requireServerUrl());
  });
  afterAll(async () => {
    await test?.drop();
    await dovecot?.dispose();
  });

  const run = (args: string[], env: Record<string, string> = {}, stdin = '') =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'mailbox', ...args], {
        env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: test.url!, FACTEUR_SECRET_KEY: key, ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdin.end(stdin);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const server = () => ['--host', dovecot.host, '--port', String(dovecot.port), '--no-tls', '--user', dovecot.user];

  it('adds, lists, tests and removes a mailbox; the password never shows', async () => {
    const added = await run(['add', 'factures', '--owner', 'acme', ...server()], { FACTEUR_MAILBOX_PASSWORD: dovecot.password });
    expect(added).toMatchObject({ code: 0, stdout: 'Mailbox factures added for acme.\n' });
    // From standard input, as a script would pipe it.
    expect((await run(['add', 'wrong', '--owner', 'acme', ...server()], {}, 'not-the-password\n')).code).toBe(0);
    expect((await run(['add', 'factures', '--owner', 'acme', ...server()], { FACTEUR_MAILBOX_PASSWORD: 'x' })).stderr).toContain(
      'facteur: acme already has a mailbox named factures.',
    );

    const list = await run(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`acme\tfactures\t${dovecot.user}@${dovecot.host}:${dovecot.port} (no TLS)\tINBOX → keyword $Facteur`);
    expect(list.stdout).not.toContain(dovecot.password);
    const { rows } = await test.db.query<{ sealed_password: string }>(`SELECT sealed_password FROM mailboxes`);
    expect(rows.map((row) => row.sealed_password).join()).not.toContain(dovecot.password);

    expect(await run(['test', 'factures', '--owner', 'acme'])).toMatchObject({
      code: 0,
      stdout: 'factures: logged in; INBOX holds 0 messages, 0 unread.\n',
    });
    const refused = await run(['test', 'wrong', '--owner', 'acme']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^facteur: wrong \(127\.0\.0\.1:\d+\): .*(auth|Auth)/);
    expect(refused.stderr).not.toContain('not-the-password');

    expect((await run(['remove', 'wrong', '--owner', 'acme'])).stdout).toBe('Mailbox wrong removed.\n');
    expect((await run(['remove', 'wrong', '--owner', 'acme'])).stderr).toBe('facteur: acme has no mailbox named wrong.\n');
  });

  it('refuses to store a password without FACTEUR_SECRET_KEY', async () => {
    const result = await run(['add', 'other', '--owner', 'acme', ...server()], { FACTEUR_SECRET_KEY: '', FACTEUR_MAILBOX_PASSWORD: 'x' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('FACTEUR_SECRET_KEY');
  });
});
