import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptFile, storeInvoices } from '../../src/invoices/store.ts';
import { Queue } from '../../src/queue/queue.ts';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii, writeUbl } from '../einvoice/support/writer.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { waitFor } from '../support/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/facteur.js', import.meta.url));
const MIGRATIONS = readdirSync(fileURLToPath(new URL('../../supabase/migrations/', import.meta.url)))
  .filter((name) => name.endsWith('.sql'))
  .sort();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: Record<string, string | undefined>): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    // Only what the test gives: no DATABASE_URL or FACTEUR_* leaks in from the developer's shell.
    env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

const facteur = (args: string[], env: Record<string, string | undefined> = {}) => start(args, env).done;

describe('facteur CLI', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'facteur-cli-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('migrates the embedded database, and a second run applies nothing', async () => {
    const first = await facteur(['migrate'], { FACTEUR_DATA_DIR: dataDir });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const [firstLine, ...names] = first.stdout.trimEnd().split('\n');
    expect(firstLine).toMatch(new RegExp(`^Applied ${MIGRATIONS.length} migrations to the embedded database`));
    expect(names.map((name) => name.trim())).toEqual(MIGRATIONS);
    const second = await facteur(['migrate'], { FACTEUR_DATA_DIR: dataDir });
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toMatch(new RegExp(`^Up to date: ${MIGRATIONS.length} migrations already applied`));
  });

  it('doctor: all green on a migrated database; says what to fix on a broken setup', async () => {
    const good = await facteur(['doctor'], { FACTEUR_DATA_DIR: dataDir });
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^✓ Node\.js 22\./m);
    expect(good.stdout).toMatch(/^✓ every migration is applied$/m);
    expect(good.stdout).not.toContain('✗');

    const fresh = mkdtempSync(join(tmpdir(), 'facteur-doctor-'));
    try {
      const unmigrated = await facteur(['doctor'], { FACTEUR_DATA_DIR: fresh });
      expect(unmigrated.code).toBe(1);
      expect(unmigrated.stdout).toContain(`✗ ${MIGRATIONS.length} migration(s) not applied: ${MIGRATIONS.join(', ')}`);
      expect(unmigrated.stdout).toMatch(/fix: run `facteur migrate`/);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
    const unreachable = await facteur(['doctor'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nowhere' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/^✗ Cannot connect to PostgreSQL .*\n {4}fix: check DATABASE_URL/m);
    expect(unreachable.stderr).toBe('facteur: 1 problem to fix.\n');
    const misconfigured = await facteur(['doctor'], {
      DATABASE_URL: 'postgres://u@db.example:6543/postgres',
      FACTEUR_POOL_MODE: 'session',
      FACTEUR_CONCURRENCY: '0',
    });
    expect(misconfigured.stdout).toMatch(/^✗ Invalid configuration: FACTEUR_CONCURRENCY/m);
  });

  it('says in one line why it cannot connect, and exits non-zero', async () => {
    const run = await facteur(['stats'], { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/nowhere' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^facteur: Cannot connect to PostgreSQL at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/,
    );
    expect(run.stderr).not.toContain('secret');
  });

  it('refuses bad configuration and bad arguments with exit status 2', async () => {
    const config = await facteur(['stats'], { FACTEUR_DATA_DIR: dataDir, FACTEUR_CONCURRENCY: 'lots' });
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/^facteur: Invalid configuration: FACTEUR_CONCURRENCY must be a whole number/);

    const url = await facteur(['stats'], { DATABASE_URL: 'mysql://localhost/db' });
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/DATABASE_URL must start with postgres:\/\//);

    const duration = await facteur(['purge', '--older-than', 'a week'], { FACTEUR_DATA_DIR: dataDir });
    expect(duration.code).toBe(2);
    expect(duration.stderr).toMatch(/expected a duration such as 30s/);

    const retry = await facteur(['retry'], { FACTEUR_DATA_DIR: dataDir });
    expect(retry.code).toBe(2);
    expect(retry.stderr).toMatch(/Give either an invoice id or --failed/);

    const unknown = await facteur(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('review on the embedded database: a clean CII read by drain is ready, then approved', async () => {
    const file = join(dataDir, 'clean.xml');
    writeFileSync(file, writeCii(sampleInvoice()));
    const env = { FACTEUR_DATA_DIR: dataDir };
    const queued = await facteur(['enqueue', file, '--json'], env);
    const { invoiceId } = JSON.parse(queued.stdout) as { invoiceId: string };
    expect((await facteur(['drain', '--budget-ms', '20000'], env)).code).toBe(0);
    expect((await facteur(['review', 'list', '--state', 'ready'], env)).stdout).toMatch(new RegExp(`^${invoiceId}  prête `, 'm'));
    expect(await facteur(['review', 'approve', invoiceId, '--version', '2'], env)).toMatchObject({
      code: 0,
      stdout: `Facture ${invoiceId} validée (version 3).\n`,
    });
    expect((await facteur(['review', 'list', '--state', 'ready'], env)).stdout).toBe('Aucune facture prête.\n');
  });

  describe('against the PostgreSQL server', () => {
    let test: TestDb;
    let env: Record<string, string>;
    let queue: Queue;

    beforeAll(async () => {
      test = await openServerDb(requireServerUrl());
      env = { DATABASE_URL: test.url!, FACTEUR_RETRY_BASE_MS: '0' };
      queue = new Queue(test.db);
    });
    afterAll(async () => {
      await test?.drop();
    });

    it('doctor says whether autovacuum runs on the server', async () => {
      await facteur(['migrate'], env);
      const { rows } = await test.db.query<{ autovacuum: string }>(`SELECT current_setting('autovacuum') AS autovacuum`);
      const doctor = await facteur(['doctor'], env);
      if (rows[0]!.autovacuum === 'on') {
        expect(doctor.stdout).toMatch(/^✓ autovacuum is on$/m);
      } else {
        expect(doctor.code).toBe(1);
        expect(doctor.stdout).toMatch(/^✗ autovacuum is off on this server: .*\n {4}fix: set autovacuum = on/m);
      }
    });

    it('drains, reports stats, retries failed jobs and purges finished ones', async () => {
      await queue.enqueueMany([...Array.from({ length: 5 }, () => ({ task: 'noop' })), { task: 'sleep', payload: { ms: 'soon' } }]);
      const drain = await facteur(['drain', '--budget-ms', '20000', '--json'], env);
      expect(drain.code).toBe(0);
      expect(JSON.parse(drain.stdout)).toMatchObject({ claimed: 6, completed: 5, failed: 1, retried: 0, remaining: 0 });

      const stats = await facteur(['stats', '--json'], env);
      expect(JSON.parse(stats.stdout)).toMatchObject({ pending: 0, processing: 0, completed: 5, failed: 1 });
      const table = await facteur(['stats'], env);
      expect(table.stdout).toMatch(/^completed\s+5$/m);

      const retry = await facteur(['retry', '--failed'], env);
      expect(retry).toMatchObject({ code: 0, stdout: 'Queued 1 failed job again.\n' });

      const purge = await facteur(['purge', '--older-than', '0s'], env);
      expect(purge).toMatchObject({ code: 0, stdout: 'Deleted 5 finished jobs.\n' });
    });

    it('enqueues a folder of invoices, refuses what is not one, and shows an invoice’s status', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'facteur-enqueue-'));
      try {
        const invoice = sampleInvoice();
        writeFileSync(join(folder, 'a.xml'), writeCii(invoice));
        // Another invoice of the same supplier: another number and day, so not a probable duplicate of a.xml.
        const other = { ...invoice, fields: { ...invoice.fields, 'BT-1': 'OTHER-1', 'BT-2': '2026-09-16' } };
        writeFileSync(join(folder, 'b.xml'), writeUbl(other));
        writeFileSync(join(folder, 'notes.txt'), Buffer.from([0, 1, 2, 3]));
        writeFileSync(join(folder, '.hidden.xml'), writeCii(invoice));
        const run = await facteur(['enqueue', folder, '--json'], env);
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(/^facteur: 1 file was refused; the others are queued\.$/m);
        const lines = run.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { file: string; invoiceId?: string; code?: string });
        expect(lines.map((line) => [line.file.split('/').pop(), line.code ?? 'queued'])).toEqual([
          ['a.xml', 'queued'],
          ['b.xml', 'queued'],
          ['notes.txt', 'UNSUPPORTED_MEDIA_TYPE'],
        ]);
        const drain = await facteur(['drain', '--json'], env);
        expect(JSON.parse(drain.stdout)).toMatchObject({ completed: 2 });
        const status = await facteur(['status', lines[1]!.invoiceId!], env);
        expect(status).toMatchObject({ code: 0 });
        expect(status.stdout).toContain('b.xml: completed, attempt 1 of 3');
        const statusJson = await facteur(['status', lines[1]!.invoiceId!, '--json'], env);
        expect((JSON.parse(statusJson.stdout) as { invoice: { source: unknown } }).invoice.source).toEqual({ kind: 'cli', details: {} });
        expect(status.stdout).toContain(`n° OTHER-1 · 2026-09-16 · ${invoice.fields['BT-112']} EUR`);
        const period = ['--from', '2026-09-01', '--to', '2026-09-30', '--review', 'ready,to_review'];
        const csv = await facteur(['export', ...period], env);
        expect(csv.code).toBe(0);
        const [header, ...rows] = csv.stdout
          .replace(/^\uFEFF/, '')
          .trimEnd()
          .split('\r\n')
          .map((row) => row.split(';'));
        expect(header!.slice(0, 5)).toEqual(['Type', 'Numéro', 'Date de facture', 'Échéance', 'Fournisseur']);
        const row = rows.find((cells) => cells[1] === 'OTHER-1')!;
        expect(row.slice(0, 3)).toEqual(['Facture', 'OTHER-1', '16/09/2026']);
        expect(row[4]).toBe(invoice.fields['BT-27']);
        expect(row[header!.indexOf('Total TTC')]).toBe(invoice.fields['BT-112']!.replace('.', ','));
        expect(row[header!.indexOf('Statut')]).toBe('Prête');
        const json = await facteur(['export', ...period, '--format', 'json'], env);
        const exported = JSON.parse(json.stdout) as { fileName: string; invoice: { fields: Record<string, string> } }[];
        expect(exported.find((entry) => entry.invoice.fields['BT-1'] === 'OTHER-1')).toMatchObject({
          fileName: 'b.xml',
          invoice: { fields: { 'BT-112': invoice.fields['BT-112'] } },
        });
        // The defaults: this month, approved only.
        expect((await facteur(['export'], env)).stdout.trimEnd().split('\r\n')).toHaveLength(1);
        expect(await facteur(['export', '--from', 'yesterday'], env)).toMatchObject({
          code: 2,
          stderr: expect.stringMatching(/from must be a date/),
        });
        const settings = await facteur(['export-settings', '--journal-code', 'ACH', '--json'], env);
        expect(JSON.parse(settings.stdout)).toMatchObject({ journalCode: 'ACH', expenseAccount: '607' });
        expect(await facteur(['export-settings', '--expense-account', '6 07'], env)).toMatchObject({ code: 2 });
        const fec = await facteur(['export', ...period, '--format', 'fec'], env);
        expect(fec.stdout.split('\r\n')[1]!.split('\t').slice(0, 3)).toEqual(['ACH', 'Achats', '1']);

        const missing = await facteur(['status', '00000000-0000-4000-8000-000000000000'], env);
        expect(missing).toMatchObject({ code: 2, stderr: 'facteur: No invoice 00000000-0000-4000-8000-000000000000.\n' });
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });

    it('review: lists by state, approves, rejects with a reason, reopens; a stale version or a wrong state exits 1 and changes nothing', async () => {
      const invoice = sampleInvoice();
      invoice.fields['BT-1'] = 'REVIEW-CLI-1';
      invoice.fields['BT-112'] = (Number(invoice.fields['BT-112']) + 0.01).toFixed(2);
      const [stored] = await storeInvoices(
        test.db,
        queue,
        'local',
        [acceptFile('r.xml', new TextEncoder().encode(writeCii(invoice)), 2 ** 20)],
        {
          source: { kind: 'cli', details: {} },
        },
      );
      const id = stored!.invoiceId;
      const drain = await facteur(['drain', '--budget-ms', '20000', '--json'], env);
      expect(drain.code).toBe(0);

      const list = await facteur(['review', 'list', '--state', 'to_review'], env);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(new RegExp(`^${id}  à vérifier .*n° REVIEW-CLI-1 .* — erreurs \\(.*BR-CO-15`, 'm'));
      expect((await facteur(['review', 'list', '--state', 'approved'], env)).stdout).toBe('Aucune facture validée.\n');
      expect(await facteur(['review', 'list', '--state', 'done'], env)).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('review must be one of'),
      });

      const stale = await facteur(['review', 'approve', id, '--version', '1'], env);
      expect(stale).toMatchObject({ code: 1, stderr: expect.stringContaining('changed since version 1') });
      expect(await facteur(['review', 'approve', id], env)).toMatchObject({ code: 0, stdout: `Facture ${id} validée (version 3).\n` });
      expect(await facteur(['review', 'approve', id], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('is approved') });
      expect(await facteur(['review', 'reopen', id, '--version', '3'], env)).toMatchObject({
        code: 0,
        stdout: `Facture ${id} à vérifier (version 4).\n`,
      });
      expect(await facteur(['review', 'reject', id, '--reason', ' '], env)).toMatchObject({ code: 2 });
      expect(await facteur(['review', 'reject', id, '--reason', 'Commande annulée'], env)).toMatchObject({
        code: 0,
        stdout: `Facture ${id} rejetée : Commande annulée (version 5).\n`,
      });
      expect(await facteur(['review', 'approve', id, '--owner', 'someone-else'], env)).toMatchObject({
        code: 2,
        stderr: `facteur: No invoice ${id}.\n`,
      });
      const { rows } = await test.db.query<{ to_state: string; reviewed_by: string }>(
        'SELECT to_state, reviewed_by FROM invoice_reviews WHERE invoice_id = $1 ORDER BY id',
        [id],
      );
      expect(rows.map((r) => `${r.to_state} ${r.reviewed_by}`)).toEqual([
        'to_review facteur',
        'approved local',
        'to_review local',
        'rejected local',
      ]);
    });

    it('delete, restore and purge-deleted: soft, as the owner, in the audit trail; the purge after the retention', async () => {
      const [stored] = await storeInvoices(
        test.db,
        queue,
        'local',
        [acceptFile('d.xml', new TextEncoder().encode(writeCii(sampleInvoice())), 2 ** 20)],
        {
          source: { kind: 'cli', details: {} },
        },
      );
      const id = stored!.invoiceId;
      expect(await facteur(['delete', id], env)).toMatchObject({ code: 0, stdout: `Facture ${id} supprimée.\n` });
      expect(await facteur(['delete', id], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('already deleted') });
      expect(await facteur(['restore', id, '--owner', 'someone-else'], env)).toMatchObject({ code: 2 });
      expect(await facteur(['restore', id], env)).toMatchObject({ code: 0, stdout: `Facture ${id} restaurée.\n` });
      expect(await facteur(['delete', id], env)).toMatchObject({ code: 0 });
      expect(await facteur(['purge-deleted'], env)).toMatchObject({
        code: 0,
        stdout: 'Purged 0 invoices deleted more than 30 days ago.\n',
      });
      await test.db.query("UPDATE invoices SET deleted_at = now() - interval '3 days' WHERE id = $1", [id]);
      expect(await facteur(['purge-deleted', '--days', '2'], env)).toMatchObject({
        code: 0,
        stdout: 'Purged 1 invoice deleted more than 2 days ago.\n',
      });
      const { rows } = await test.db.query<{ action: string }>('SELECT action FROM invoice_audit WHERE invoice_id = $1 ORDER BY id', [id]);
      expect(rows.map((r) => r.action)).toEqual(['delete', 'restore', 'delete', 'purge']);
    });

    it('runs a worker that finishes its jobs on SIGTERM and exits 0', async () => {
      const worker = start(['worker', '--concurrency', '3'], env);
      await queue.enqueueMany(Array.from({ length: 3 }, () => ({ task: 'sleep', payload: { ms: 1_500 } })));
      await waitFor('three running', async () => (await queue.stats()).processing === 3, 20_000);
      worker.child.kill('SIGTERM');
      const run = await worker.done;
      expect(run.code).toBe(0);
      const { rows } = await test.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM processing_queue WHERE task = 'sleep' AND status = 'completed' AND (payload->>'ms') = '1500'`,
      );
      expect(rows[0]!.n).toBe(3);
    });
  });
});
