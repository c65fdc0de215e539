/**
 * Upload-to-completed latency through the production build: upload one small CII invoice, poll
 * its status every 2 ms until `completed`, 20 times; median and max. Two ways to run jobs: the
 * in-process worker (`npm start`), and the serverless path (no worker: the upload's after() kick).
 *
 *   npm run build && node bench/http-latency.ts [--db pglite|postgres] [--runs 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sampleInvoice } from '../test/einvoice/support/sample.ts';
import { writeCii } from '../test/einvoice/support/writer.ts';
import { createSchema } from '../test/support/databases.ts';
import { startServer } from '../test/support/server.ts';

const { values } = parseArgs({ options: { db: { type: 'string', default: 'pglite' }, runs: { type: 'string', default: '20' } } });
const runs = Number(values.runs);

async function databaseEnv(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  if (values.db === 'postgres') {
    const schema = await createSchema(
      process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    );
    return { env: { DATABASE_URL: schema.url }, cleanup: () => schema.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'facteur-bench-'));
  return { env: { FACTEUR_DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function measure(mode: 'inprocess' | 'none'): Promise<number[]> {
  const database = await databaseEnv();
  const app = await startServer({ ...database.env, FACTEUR_WORKER: mode });
  const timings: number[] = [];
  try {
    for (let run = 0; run <= runs; run++) {
      const invoice = sampleInvoice();
      invoice.fields['BT-1'] = `BENCH-${mode}-${run}-${Date.now()}`;
      const body = new FormData();
      body.append('file', new Blob([writeCii(invoice)]), 'facture.xml');
      const started = performance.now();
      const response = await fetch(`${app.url}/api/upload`, { method: 'POST', body });
      const { invoices } = (await response.json()) as { invoices: { invoiceId: string }[] };
      for (;;) {
        const status = (await (await fetch(`${app.url}/api/queue/status?invoiceId=${invoices[0]!.invoiceId}`)).json()) as {
          status: string;
        };
        if (status.status === 'completed') break;
        if (status.status === 'failed') throw new Error('the invoice failed');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      // The first run warms the server up (route compilation, first connection): not counted.
      if (run > 0) timings.push(performance.now() - started);
    }
  } finally {
    await app.stop();
    await database.cleanup();
  }
  return timings.sort((a, b) => a - b);
}

for (const mode of ['inprocess', 'none'] as const) {
  const timings = await measure(mode);
  const median = timings[Math.floor(timings.length / 2)]!;
  console.log(
    `${values.db.padEnd(8)} ${mode === 'inprocess' ? 'in-process worker' : 'serverless (after() kick)'}: upload → completed median ${median.toFixed(1)} ms, ` +
      `min ${timings[0]!.toFixed(1)} ms, max ${timings.at(-1)!.toFixed(1)} ms (${timings.length} runs, one small CII file)`,
  );
}
