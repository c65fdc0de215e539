// FACTEUR_WATCH_DIR: `facteur worker` as a real process watches the folder beside its jobs, on the
// embedded database (the way to watch while the web app holds PGlite's folder) and on the server,
// where two workers watching one folder take each file once.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { connect } from '../../src/db/index.ts';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii, writeUbl } from '../einvoice/support/writer.ts';
import { openServerDb, requireServerUrl } from '../support/databases.ts';
import { waitFor } from '../support/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/facteur.js', import.meta.url));

function worker(env: Record<string, string>): { child: ChildProcess; exited: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, 'worker'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      FACTEUR_WATCH_INTERVAL: '20ms',
      FACTEUR_WATCH_SETTLE: '0s',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, exited: new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr }))) };
}

const invoiceFiles = (count: number) => {
  const invoice = sampleInvoice();
  return Array.from({ length: count }, (_, i) => {
    const content = { ...invoice, fields: { ...invoice.fields, 'BT-1': `W-${i}` } };
    return { name: `w${String(i).padStart(2, '0')}.xml`, bytes: i % 2 ? writeCii(content) : writeUbl(content) };
  });
};

describe('the watched folder in the worker', () => {
  let dir: string;
  let dataDir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'facteur-worker-watch-'));
    dataDir = mkdtempSync(join(tmpdir(), 'facteur-worker-data-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const processed = () => (existsSync(join(dir, 'processed')) ? readdirSync(join(dir, 'processed')).sort() : []);

  it('is read from the environment, with its durations checked', () => {
    expect(loadConfig({}).watch).toBeUndefined();
    expect(loadConfig({ FACTEUR_WATCH_DIR: '/in' }).watch).toEqual({ dir: '/in', owner: 'local', intervalMs: 2_000, settleMs: 2_000 });
    expect(() => loadConfig({ FACTEUR_WATCH_DIR: '/in', FACTEUR_WATCH_SETTLE: 'soon' })).toThrow(
      /Invalid configuration: FACTEUR_WATCH_SETTLE must be a duration/,
    );
    expect(() => loadConfig({ FACTEUR_WATCH_DIR: '/in', VERCEL: '1', DATABASE_URL: 'postgres://x/y' })).toThrow(/cannot be used on Vercel/);
  });

  it('on the embedded database: takes the file, runs its job, and stops with the worker on SIGTERM', async () => {
    const running = worker({ FACTEUR_DATA_DIR: dataDir, FACTEUR_WATCH_DIR: dir, FACTEUR_WATCH_OWNER: 'acme' });
    writeFileSync(join(dir, 'a.xml'), writeCii(sampleInvoice()));
    await waitFor('a.xml taken', async () => processed().includes('a.xml'), 60_000, 50);
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, stderr: '' });

    const db = await connect({ dataDir });
    try {
      const { rows } = await db.query<{ owner: string; source: string; folder: string }>(
        `SELECT owner, source, source_details->>'folder' AS folder FROM invoices`,
      );
      expect(rows).toEqual([{ owner: 'acme', source: 'folder', folder: dir }]);
    } finally {
      await db.close();
    }
  });

  it('a folder that cannot be read stops the worker at start-up with its reason', async () => {
    const running = worker({ FACTEUR_DATA_DIR: dataDir, FACTEUR_WATCH_DIR: join(dir, 'missing') });
    const { code, stderr } = await running.exited;
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/missing cannot be read/);
  });

  it('two workers on one PostgreSQL watching one folder: each file becomes one invoice, processed once, and each refusal is one', async () => {
    const test = await openServerDb(requireServerUrl());
    const workers: ReturnType<typeof worker>[] = [];
    try {
      const env = { DATABASE_URL: test.url!, FACTEUR_WATCH_DIR: dir, FACTEUR_WATCH_OWNER: 'acme' };
      workers.push(worker(env), worker(env));
      const files = invoiceFiles(40);
      for (const file of files) writeFileSync(join(dir, file.name), file.bytes);
      writeFileSync(join(dir, 'junk.bin'), 'junk');
      await waitFor('every file moved', async () => processed().length >= files.length, 60_000, 50);
      const extracted = async () =>
        Number((await test.db.query<{ n: number }>(`SELECT count(*) AS n FROM invoices WHERE extracted IS NOT NULL`)).rows[0]!.n);
      await waitFor('every invoice extracted', async () => (await extracted()) === files.length, 60_000, 50);
      for (const running of workers) running.child.kill('SIGTERM');
      for (const running of workers) expect(await running.exited).toEqual({ code: 0, stderr: '' });

      expect(processed()).toEqual(files.map((file) => file.name));
      expect(readdirSync(join(dir, 'refused')).sort()).toEqual(['junk.bin', 'junk.bin.reason.txt']);
      expect(readdirSync(dir).sort()).toEqual(['processed', 'refused']);
      const { rows } = await test.db.query<{ file_name: string }>(
        `SELECT file_name FROM invoices WHERE owner = 'acme' AND source = 'folder' ORDER BY file_name`,
      );
      expect(rows.map((row) => row.file_name)).toEqual(files.map((file) => file.name));
    } finally {
      for (const running of workers) running.child.kill('SIGKILL');
      await test.drop();
    }
  }, 120_000);
});
