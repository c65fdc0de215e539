/**
 * The status endpoint under load while uploads keep coming, and many uploaders at once, through
 * the production build (`npm run build` first) on the PostgreSQL server, in-process worker.
 *
 *   node bench/http-load.ts [--seconds 20] [--rate 1000] [--uploaders 50]
 *
 * Phase 1: GET /api/queue/status at a fixed rate (autocannon) while 4 uploaders run alongside.
 * Phase 2: N uploaders at once, each uploading one small invoice after another.
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sampleInvoice } from '../test/invoices/support/sample.ts';
import { writeCii } from '../test/invoices/support/writer.ts';
import { createSchema } from '../test/support/databases.ts';
import { startServer } from '../test/support/server.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, rate: { type: 'string', default: '1000' }, uploaders: { type: 'string', default: '50' } } });
const seconds = Number(values.seconds);

const schema = await createSchema(process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const app = await startServer({ DATABASE_URL: schema.url, FACTEUR_UPLOAD_RATE: '0', FACTEUR_CONCURRENCY: '4' });

let sequence = 0;
async function uploadOne(): Promise<{ ms: number; ok: boolean; invoiceId?: string }> {
  const invoice = sampleInvoice();
  invoice.fields['BT-1'] = `LOAD-${process.pid}-${(sequence += 1)}`;
  const body = new FormData();
  body.append('file', new Blob([writeCii(invoice)]), 'facture.xml');
  const started = performance.now();
  const response = await fetch(`${app.url}/api/upload`, { method: 'POST', body });
  const json = (await response.json()) as { invoices?: { invoiceId: string }[] };
  return { ms: performance.now() - started, ok: response.status === 201, invoiceId: json.invoices?.[0]?.invoiceId };
}

async function uploaders(count: number, until: number): Promise<number[]> {
  const timings: number[] = [];
  let failures = 0;
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (Date.now() < until) {
        const result = await uploadOne();
        if (result.ok) timings.push(result.ms);
        else failures += 1;
      }
    }),
  );
  if (failures > 0) console.log(`  ${failures} uploads failed`);
  return timings.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

try {
  const ids = (await Promise.all(Array.from({ length: 50 }, uploadOne))).map((r) => r.invoiceId!);
  const side = uploaders(4, Date.now() + seconds * 1000);
  let next = 0;
  const result = await autocannon({
    url: app.url,
    connections: 50,
    duration: seconds,
    overallRate: Number(values.rate),
    requests: [{ setupRequest: (request) => ({ ...request, path: `/api/queue/status?invoiceId=${ids[(next += 1) % ids.length]}` }) }],
  });
  const sideTimings = await side;
  console.log(
    `status endpoint at ${values.rate} req/s for ${seconds} s (50 connections) with 4 uploaders alongside: ` +
      `${Math.round(result.requests.average)} req/s served, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, ` +
      `${result.non2xx} non-2xx, ${result.errors} errors; alongside ${sideTimings.length} uploads, p50 ${pct(sideTimings, 50).toFixed(0)} ms`,
  );

  const timings = await uploaders(Number(values.uploaders), Date.now() + seconds * 1000);
  console.log(
    `${values.uploaders} concurrent uploaders for ${seconds} s: ${timings.length} invoices (${(timings.length / seconds).toFixed(0)}/s), ` +
      `p50 ${pct(timings, 50).toFixed(0)} ms, p99 ${pct(timings, 99).toFixed(0)} ms`,
  );
} finally {
  await app.stop();
  await schema.drop();
}
