/**
 * A period export of many invoices, in each format: time and peak memory.
 *
 *   node bench/exports.ts [--invoices 100000] [--formats csv-fr,csv-en,xlsx,fec,json] [--url postgres://…]
 *
 * Seeds `--invoices` approved invoices of one month into a database of its own on the server
 * (INSERT … SELECT generate_series from a template: two VAT rates, one in ten a credit note, one in
 * fifty under reverse charge, one in twenty in dollars), then exports them once per format, each
 * in a fresh Node process (`--child`) that writes the file to /dev/null as the CLI does, and
 * reports the time, the bytes written, and the process's peak RSS (getrusage's maxrss) beside its
 * RSS once the app's modules are loaded, before the export (the part the export adds). The
 * target (issue 15): streamed, under 200 MB RSS whatever the count. Results go to bench/results/.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { connect, migrate } from '../src/db/index.ts';
import { exportRequestFrom, type ExportFormat } from '../src/invoices/export.ts';
import { OwnedInvoices } from '../src/invoices/owned.ts';
import { createDatabase } from '../test/support/databases.ts';
import { sampleInvoice } from '../test/einvoice/support/sample.ts';

const { values } = parseArgs({
  options: {
    invoices: { type: 'string', default: '100000' },
    formats: { type: 'string', default: 'csv-fr,csv-en,xlsx,fec,json' },
    child: { type: 'string' },
    url: { type: 'string' },
  },
});
const PERIOD = { from: '2026-11-01', to: '2026-11-30' };

if (values.child) {
  // One export, measured in a process of its own.
  const db = await connect({ url: values.url! });
  // What the process holds before the export: the app's modules (the e-invoice library among them).
  const baselineMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const started = performance.now();
  const file = await new OwnedInvoices(db, 'bench').export(exportRequestFrom({ ...PERIOD, format: values.child }, new Date()));
  let bytes = 0;
  const sink = createWriteStream('/dev/null');
  await pipeline(
    Readable.from(file.chunks),
    new Writable({
      write(chunk: Buffer, _, done) {
        bytes += chunk.length;
        sink.write(chunk, done);
      },
    }),
  );
  const ms = performance.now() - started;
  await db.close();
  console.log(
    JSON.stringify({
      format: values.child,
      ms: Math.round(ms),
      bytes,
      baselineMb,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  process.exit(0);
}

const count = Number(values.invoices);
const formats = values.formats.split(',') as ExportFormat[];
// A database of its own, dropped at the end; or --url, whose invoices of the owner `bench` are replaced.
const database = values.url ? { url: values.url, drop: async () => {} } : await createDatabase('facteur_bench_exports');
try {
  const db = await connect({ url: database.url });
  await migrate(db);
  await db.query(`DELETE FROM invoices WHERE owner = 'bench'`);
  const template = {
    format: 'cii',
    source: { container: 'xml', syntax: 'cii' },
    notes: [],
    confidence: {},
    validation: [],
    ...sampleInvoice(),
  };
  const seedStarted = performance.now();
  // The template with its number, date, type, currency and VAT category varied per row.
  await db.query(
    `INSERT INTO invoices (owner, file_name, media_type, size_bytes, sha256, format, extracted, review_state, reviewed_at, created_at)
     SELECT 'bench', 'f' || n || '.xml', 'application/xml', 1, repeat('a', 64), 'cii',
            jsonb_set(jsonb_set(jsonb_set(jsonb_set(
              CASE WHEN n % 50 = 0
                   THEN jsonb_set($1::jsonb, '{vatBreakdown}', '[{"BT-116": "1220.00", "BT-117": "0.00", "BT-118": "AE", "BT-119": "0"}]')
                   ELSE $1::jsonb END,
              '{fields,BT-1}', to_jsonb('F' || n)),
              '{fields,BT-2}', to_jsonb(to_char(date '2026-11-01' + (n % 30), 'YYYY-MM-DD'))),
              '{fields,BT-3}', to_jsonb(CASE WHEN n % 10 = 0 THEN '381' ELSE '380' END)),
              '{fields,BT-5}', to_jsonb(CASE WHEN n % 20 = 0 THEN 'USD' ELSE 'EUR' END)),
            'approved', timestamptz '2026-12-01 09:00+01', timestamptz '2026-11-01 08:00+01' + n * interval '20 seconds'
       FROM generate_series(1, $2::int) AS n`,
    [JSON.stringify(template), count],
  );
  await db.query('ANALYZE invoices');
  const seedMs = Math.round(performance.now() - seedStarted);
  await db.close();

  const run = promisify(execFile);
  const results = [];
  for (const format of formats) {
    const { stdout } = await run(process.execPath, [new URL(import.meta.url).pathname, '--child', format, '--url', database.url], {
      maxBuffer: 1 << 20,
    });
    const result = JSON.parse(stdout.trim()) as { format: string; ms: number; bytes: number; baselineMb: number; maxRssMb: number };
    results.push(result);
    console.log(
      `${format.padEnd(7)} ${String(result.ms).padStart(6)} ms  ${(count / (result.ms / 1000)).toFixed(0).padStart(6)} invoices/s  ${(result.bytes / 1e6).toFixed(1).padStart(6)} MB  peak RSS ${result.maxRssMb} MB (${result.baselineMb} MB before the export)`,
    );
  }
  const at = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync(new URL('results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL(`results/exports-${at}.json`, import.meta.url),
    `${JSON.stringify({ count, seedMs, node: process.version, results }, null, 2)}\n`,
  );
  const table = results.map(
    (r) =>
      `| ${r.format} | ${r.ms} | ${(count / (r.ms / 1000)).toFixed(0)} | ${(r.bytes / 1e6).toFixed(1)} | ${r.maxRssMb} | ${r.baselineMb} |`,
  );
  writeFileSync(
    new URL(`results/exports-${at}.md`, import.meta.url),
    `# Exports of ${count} invoices (${process.version}; seeded in ${seedMs} ms)\n\n| format | ms | invoices/s | MB written | peak RSS MB | RSS before the export MB |\n|---|---|---|---|---|---|\n${table.join('\n')}\n`,
  );
  console.log(`seeded ${count} invoices in ${seedMs} ms`);
} finally {
  await database.drop();
}
