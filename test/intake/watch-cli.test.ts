// `facteur watch` as a real process on the PostgreSQL server: it takes what is dropped, stops
// cleanly on SIGTERM, and killed with SIGKILL again and again while it works, it still ends with
// each file taken once and moved.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii, writeUbl } from '../einvoice/support/writer.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { sleep, waitFor } from '../support/wait.ts';

const BIN = fileURLToPath(new URL('../../bin/facteur.js', import.meta.url));

function watch(
  dir: string,
  url: string,
): { child: ChildProcess; exited: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, 'watch', dir, '--owner', 'acme', '--interval', '50ms', '--settle', '0s'], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: url },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, exited: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr }))) };
}

describe('facteur watch', () => {
  let test: TestDb;
  let dir: string;

  beforeEach(async () => {
    test = await openServerDb(requireServerUrl());
    dir = mkdtempSync(join(tmpdir(), 'facteur-watch-'));
  });
  afterEach(async () => {
    await test.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const processed = async () => (existsSync(join(dir, 'processed')) ? readdirSync(join(dir, 'processed')).sort() : []);
  const invoiceNumbers = async () =>
    (
      await test.db.query<{ file_name: string }>(
        `SELECT file_name FROM invoices WHERE owner = 'acme' AND source = 'folder' ORDER BY file_name`,
      )
    ).rows.map((row) => row.file_name);

  it('takes the dropped files, refuses junk with a reason, and exits 0 on SIGTERM', async () => {
    const watcher = watch(dir, test.url!);
    writeFileSync(join(dir, 'a.xml'), writeCii(sampleInvoice()));
    writeFileSync(join(dir, 'junk.bin'), 'junk');
    await waitFor('a.xml taken', async () => (await processed()).includes('a.xml'), 30_000, 50);
    await waitFor('junk refused', async () => existsSync(join(dir, 'refused', 'junk.bin.reason.txt')), 30_000, 50);
    expect(readFileSync(join(dir, 'refused', 'junk.bin.reason.txt'), 'utf8')).toMatch(/^UNSUPPORTED_MEDIA_TYPE\njunk.bin is not/);
    watcher.child.kill('SIGTERM');
    expect(await watcher.exited).toEqual({ code: 0, signal: null, stderr: '' });
    expect(await invoiceNumbers()).toEqual(['a.xml']);
  });

  it('killed with SIGKILL while it works, then restarted: every file taken once, none left, none twice', async () => {
    const invoice = sampleInvoice();
    const names = Array.from({ length: 80 }, (_, i) => `f${String(i).padStart(2, '0')}.xml`);
    names.forEach((name, i) => {
      const content = { ...invoice, fields: { ...invoice.fields, 'BT-1': `N-${i}` } };
      writeFileSync(join(dir, name), i % 2 ? writeCii(content) : writeUbl(content));
    });
    // Killed later each time: the first kills land during start-up, the next ones while files are taken.
    const movedAtKill: number[] = [];
    for (let delay = 200; (await processed()).length < names.length && delay < 3_000; delay += 100) {
      const watcher = watch(dir, test.url!);
      await sleep(delay);
      watcher.child.kill('SIGKILL');
      expect((await watcher.exited).signal).toBe('SIGKILL');
      movedAtKill.push((await processed()).length);
    }
    expect(movedAtKill.some((moved) => moved > 0 && moved < names.length)).toBe(true);
    const last = watch(dir, test.url!);
    writeFileSync(join(dir, 'zz-last.xml'), writeCii(invoice)); // taken only once this watcher runs
    await waitFor('every file moved', async () => (await processed()).length === names.length + 1, 60_000, 50);
    last.child.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);

    expect(await processed()).toEqual([...names, 'zz-last.xml']);
    expect(readdirSync(dir).sort()).toEqual(['processed', 'refused']);
    expect(await invoiceNumbers()).toEqual([...names, 'zz-last.xml']);
  });
});
