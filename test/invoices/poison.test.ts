// A poison invoice: a file whose reading kills the worker thread that reads it (its heap runs out).
// Through the real worker and queue on the PostgreSQL server, that invoice's job — and only it —
// fails with a reason code; the process goes on, and the invoices queued with it are read,
// including the next one that needs a worker thread.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processInvoiceTask } from '../../src/invoices/handler.ts';
import { stopVisualWorkers } from '../../src/einvoice/index.ts';
import { acceptFile, storeInvoices } from '../../src/invoices/store.ts';
import { Queue } from '../../src/queue/queue.ts';
import { Worker } from '../../src/queue/worker.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { waitFor } from '../support/wait.ts';
import { heavyTextPdf } from '../einvoice/support/heavy.ts';
import { printInvoice, SAMPLES } from '../einvoice/support/printed.ts';
import { sampleInvoice } from '../einvoice/support/sample.ts';
import { writeCii } from '../einvoice/support/writer.ts';

describe('a poison invoice that kills its worker thread, on the PostgreSQL server', () => {
  let test: TestDb;
  beforeAll(async () => {
    test = await openServerDb(requireServerUrl());
  });
  afterAll(async () => {
    await stopVisualWorkers();
    await test?.drop();
  });

  it('fails its own job with EXTRACTION_OUT_OF_MEMORY, once, while the invoices around it complete', async () => {
    const { db } = test;
    const queue = new Queue(db, { backoff: { baseMs: 50, maxMs: 200 } });
    // A 64 MB heap per worker thread, so that a file of 11 MB (300,000 text items once parsed) is
    // enough to exhaust it, as a far larger one would exhaust the default 512 MB.
    const worker = new Worker({
      queue,
      tasks: { process_invoice: processInvoiceTask(db, undefined, { limits: { workerHeapMb: 64 } }) },
      logger: pino({ level: 'silent' }),
      concurrency: 2,
      pollMs: 100,
    });
    const cii = (number: string) => {
      const invoice = sampleInvoice();
      invoice.fields['BT-1'] = number;
      return acceptFile(`${number}.xml`, new TextEncoder().encode(writeCii(invoice)), 20 * 2 ** 20);
    };
    // Queued in this order: the poison between XML invoices, and a plain PDF right after it that
    // needs a worker thread too (this machine's pool has one).
    const files = [
      cii('BEFORE-1'),
      acceptFile('poison.pdf', heavyTextPdf(300_000), 20 * 2 ** 20),
      acceptFile('printed.pdf', await printInvoice({ ...SAMPLES.fr, layout: 'beside' }), 20 * 2 ** 20),
      cii('AFTER-1'),
      cii('AFTER-2'),
    ];
    const stored = await storeInvoices(db, queue, 'local', files, { source: { kind: 'upload', details: {} } });
    await worker.start();
    try {
      await waitFor(
        'every job finished',
        async () => {
          const stats = await queue.stats();
          return stats.pending === 0 && stats.processing === 0;
        },
        120_000,
        100,
      );
    } finally {
      await worker.stop({ graceMs: 5_000 });
    }

    const { rows } = await db.query<{
      file_name: string;
      status: string;
      attempts: number;
      error_code: string | null;
      number: string | null;
    }>(
      `SELECT i.file_name, q.status, q.attempts, q.error_code, i.extracted->'fields'->>'BT-1' AS number
         FROM processing_queue q JOIN invoices i ON i.id = q.invoice_id
        WHERE q.invoice_id = ANY($1::uuid[])
        ORDER BY i.file_name`,
      [stored.map((s) => s.invoiceId)],
    );
    expect(rows.find((r) => r.file_name === 'poison.pdf')).toEqual({
      file_name: 'poison.pdf',
      status: 'failed',
      attempts: 1,
      error_code: 'EXTRACTION_OUT_OF_MEMORY',
      number: null,
    });
    expect(rows.filter((r) => r.file_name !== 'poison.pdf').map((r) => [r.file_name, r.status, r.number])).toEqual([
      ['AFTER-1.xml', 'completed', 'AFTER-1'],
      ['AFTER-2.xml', 'completed', 'AFTER-2'],
      ['BEFORE-1.xml', 'completed', 'BEFORE-1'],
      ['printed.pdf', 'completed', SAMPLES.fr.number],
    ]);
    const attempts = await db.query<{ outcome: string; error_code: string | null }>(
      `SELECT a.outcome, a.error_code FROM job_attempts a JOIN processing_queue q ON q.id = a.job_id WHERE q.invoice_id = $1`,
      [stored[1]!.invoiceId],
    );
    expect(attempts.rows).toEqual([{ outcome: 'failed', error_code: 'EXTRACTION_OUT_OF_MEMORY' }]);
  }, 180_000);
});
