import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, migrate, type Db } from '../../src/db/index.ts';
import { PermanentJobError, Queue, Worker } from '../../src/queue/index.ts';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii } from '../einvoice/support/writer.ts';

// Issue 13, point 7: text from outside (an error quoting a file, what an invoice says) reaches a
// terminal or a page without the characters that would command it (ESC, CSI) or reorder it (bidi).

const BIN = fileURLToPath(new URL('../../bin/facteur.js', import.meta.url));
const HOSTILE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

describe('control and bidi characters in stored and printed text', () => {
  let dir: string;
  let db: Db;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'facteur-text-'));
    db = await connect({ dataDir: join(dir, 'engine') });
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a failed job’s error without them', async () => {
    const queue = new Queue(db, { tasks: ['quote'] });
    const { id } = await queue.enqueue({ task: 'quote' });
    const worker = new Worker({
      queue,
      tasks: {
        quote: async () => {
          throw new PermanentJobError('QUOTED', 'bad file \u001b]0;owned\u0007\u001b[2J «facture\u202Efdp.exe»\nline 2');
        },
      },
    });
    await worker.drain({ budgetMs: 10_000 });
    const { rows } = await db.query<{ last_error: string }>('SELECT last_error FROM processing_queue WHERE id = $1', [id]);
    expect(rows[0]!.last_error).toBe('bad file ]0;owned[2J «facturefdp.exe» line 2');
  });

  it('prints what an invoice says without them (facteur status)', async () => {
    const invoice = sampleInvoice();
    // XML 1.0 allows C1 characters (U+009B is CSI on a terminal) and bidi overrides in text.
    invoice.fields['BT-27'] = 'ACME \u009b2J\u202Eevil\u2066';
    const file = join(dir, 'facture.xml');
    writeFileSync(file, writeCii(invoice));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'test', LOG_LEVEL: 'warn', FACTEUR_DATA_DIR: join(dir, 'cli') };
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child: ChildProcess = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
        let stdout = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
        });
        child.on('close', (code) => resolve({ code, stdout }));
      });
    const { invoiceId } = JSON.parse((await run(['enqueue', file, '--json'])).stdout) as { invoiceId: string };
    expect((await run(['drain', '--budget-ms', '20000'])).code).toBe(0);
    // Stored as the invoice says it (the JSON output is for programs, and escapes what JSON must)…
    expect((await run(['status', invoiceId, '--json'])).stdout).toContain('\u202Eevil');
    // …and printed for a person without it.
    const status = await run(['status', invoiceId]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('ACME 2Jevil');
    expect(status.stdout).not.toMatch(HOSTILE);
  }, 120_000);
});
