/**
 * The status endpoint under load while uploads keep coming, and many uploaders at once, through
 * the production build (`npm run build` first) on the PostgreSQL server, in-process worker.
 *
 *   node bench/http-load.ts [--seconds 20] [--rate 1000] [--uploaders 50] [--cpu-prof DIR] [--note "machine state"]
 *
 * Reference: what Next.js itself costs here — GET /api/queue/status with no invoice id, answered
 *   400 before any database work (routing, the handler wrapper, a JSON error), as fast as it goes.
 * Ceiling: the status of a known invoice, as fast as it goes, nothing alongside; then the same
 *   with If-None-Match naming the current ETag (a poller whose invoice has not changed: 304).
 * Target: the status at `--rate` requests/s (autocannon's overallRate: each of the 50 connections
 *   sends its share of each second as fast as it can, then waits for the next second) while 4
 *   uploaders run alongside.
 * Uploaders: `--uploaders` at once, each uploading one small invoice after another.
 *
 * Requests carry what a browser sends (Accept-Encoding: gzip, deflate, br), since that decides
 * whether Next.js compresses. Each line gives the CPU used meanwhile by the server process, by
 * PostgreSQL (every backend, whoever they serve) and by this process (autocannon, the uploaders),
 * in % of one core, and the load average. `--cpu-prof DIR` writes the server's V8 CPU profile
 * there when it stops. Results go to bench/results/http-load-<time>.{json,md}.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { percentile } from './queue/stats.ts';
import { sampleInvoice } from '../test/einvoice/support/sample.ts';
import { writeCii } from '../test/einvoice/support/writer.ts';
import { createSchema } from '../test/support/databases.ts';
import { startServer } from '../test/support/server.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '1000' },
    uploaders: { type: 'string', default: '50' },
    'cpu-prof': { type: 'string' },
    note: { type: 'string', default: '' },
  },
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const BROWSER_HEADERS = { 'accept-encoding': 'gzip, deflate, br' };
const CONNECTIONS = 50;
const SIDE_UPLOADERS = 4;

const schema = await createSchema(
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
);
const app = await startServer({
  DATABASE_URL: schema.url,
  FACTEUR_UPLOAD_RATE: '0',
  FACTEUR_CONCURRENCY: '4',
  ...(values['cpu-prof'] ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${values['cpu-prof']}` } : {}),
});

/** CPU seconds (user + system) used so far by the processes `select` picks, from /proc. */
function cpuSeconds(select: (pid: number, name: string) => boolean): number {
  const ticksPerSecond = 100;
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!select(Number(entry), name)) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / ticksPerSecond;
}

interface CpuMark {
  at: number;
  server: number;
  postgres: number;
  bench: number;
}

function cpuMark(): CpuMark {
  const own = process.cpuUsage();
  return {
    at: performance.now(),
    server: cpuSeconds((pid) => pid === app.child.pid),
    postgres: cpuSeconds((_, name) => name === 'postgres'),
    bench: (own.user + own.system) / 1e6,
  };
}

interface CpuShare {
  server: number;
  postgres: number;
  bench: number;
  loadavg1m: number;
}

function cpuSince(start: CpuMark): CpuShare {
  const end = cpuMark();
  const elapsed = (end.at - start.at) / 1000;
  const share = (key: 'server' | 'postgres' | 'bench') => Math.round((100 * (end[key] - start[key])) / elapsed);
  return { server: share('server'), postgres: share('postgres'), bench: share('bench'), loadavg1m: Math.round(loadavg()[0]! * 100) / 100 };
}

const cpuText = (cpu: CpuShare) =>
  `CPU: server ${cpu.server} %, PostgreSQL ${cpu.postgres} %, bench ${cpu.bench} %; load average ${cpu.loadavg1m}`;

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

interface Uploads {
  count: number;
  failed: number;
  p50: number;
  p99: number;
}

async function uploaders(count: number, until: number): Promise<Uploads> {
  const timings: number[] = [];
  let failed = 0;
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (Date.now() < until) {
        const result = await uploadOne();
        if (result.ok) timings.push(result.ms);
        else failed += 1;
      }
    }),
  );
  timings.sort((a, b) => a - b);
  return { count: timings.length, failed, p50: Math.round(percentile(timings, 50)), p99: Math.round(percentile(timings, 99)) };
}

interface Load {
  served: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

interface Poll {
  path: string;
  headers?: Record<string, string>;
}

async function load(poll: () => Poll, options: { seconds: number; rate?: number }): Promise<Load> {
  const result = await autocannon({
    url: app.url,
    connections: CONNECTIONS,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
    requests: [
      {
        setupRequest: (request) => {
          const { path, headers } = poll();
          return { ...request, path, headers: { ...BROWSER_HEADERS, ...headers } };
        },
      },
    ],
  });
  return {
    served: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

const loadText = (l: Load) =>
  `${l.served} req/s served, p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms, ${l.non2xx} non-2xx, ${l.errors} errors`;

const lines: string[] = [];
function report(line: string): void {
  console.log(line);
  lines.push(line);
}

const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  seconds,
  rate,
  connections: CONNECTIONS,
  note: values.note,
  loadavgAtStart: loadavg(),
};
try {
  const ids = (await Promise.all(Array.from({ length: CONNECTIONS }, uploadOne))).map((r) => r.invoiceId!);
  let next = 0;
  const statusPath = (id: string) => `/api/queue/status?invoiceId=${id}`;
  const status = (): Poll => ({ path: statusPath(ids[(next += 1) % ids.length]!) });
  const noInvoice = (): Poll => ({ path: '/api/queue/status' });
  // Warm-up: the first requests load and optimise the route's code; not counted.
  await load(status, { seconds: 5 });
  await load(noInvoice, { seconds: 3 });

  let mark = cpuMark();
  const reference = await load(noInvoice, { seconds });
  const referenceCpu = cpuSince(mark);
  report(
    `reference, a 400 answered before any database work, as fast as it goes: ${loadText(reference)} (all 400 by design); ${cpuText(referenceCpu)}`,
  );

  mark = cpuMark();
  const ceiling = await load(status, { seconds });
  const ceilingCpu = cpuSince(mark);
  report(`status, as fast as it goes, nothing alongside: ${loadText(ceiling)}; ${cpuText(ceilingCpu)}`);

  // The invoices are all completed by now: their ETags stay current, and every poll is a 304.
  const etags = await Promise.all(ids.map(async (id) => (await fetch(`${app.url}${statusPath(id)}`)).headers.get('etag') ?? ''));
  const unchanged = (): Poll => {
    const i = (next += 1) % ids.length;
    return { path: statusPath(ids[i]!), headers: { 'if-none-match': etags[i]! } };
  };
  mark = cpuMark();
  const revalidated = await load(unchanged, { seconds });
  const revalidatedCpu = cpuSince(mark);
  report(
    `status polls naming the current ETag (304), as fast as it goes: ${loadText(revalidated)} (304 by design); ${cpuText(revalidatedCpu)}`,
  );

  mark = cpuMark();
  const side = uploaders(SIDE_UPLOADERS, Date.now() + seconds * 1000);
  const target = await load(status, { seconds, rate });
  const sideUploads = await side;
  const targetCpu = cpuSince(mark);
  report(
    `status at ${rate} req/s for ${seconds} s (${CONNECTIONS} connections) with ${SIDE_UPLOADERS} uploaders alongside: ${loadText(target)}; ` +
      `alongside ${sideUploads.count} uploads, p50 ${sideUploads.p50} ms; ${cpuText(targetCpu)}`,
  );

  mark = cpuMark();
  const many = await uploaders(Number(values.uploaders), Date.now() + seconds * 1000);
  const manyCpu = cpuSince(mark);
  report(
    `${values.uploaders} concurrent uploaders for ${seconds} s: ${many.count} invoices (${(many.count / seconds).toFixed(0)}/s), ` +
      `p50 ${many.p50} ms, p99 ${many.p99} ms, ${many.failed} failed; ${cpuText(manyCpu)}`,
  );
  Object.assign(results, {
    reference: { ...reference, cpu: referenceCpu },
    ceiling: { ...ceiling, cpu: ceilingCpu },
    revalidated: { ...revalidated, cpu: revalidatedCpu },
    target: { ...target, cpu: targetCpu, uploadsAlongside: sideUploads },
    uploaders: { uploaders: Number(values.uploaders), ...many, perSecond: many.count / seconds, cpu: manyCpu },
  });
} finally {
  await app.stop();
  await schema.drop();
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
writeFileSync(`bench/results/http-load-${stamp}.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(
  `bench/results/http-load-${stamp}.md`,
  `# HTTP load, ${results.startedAt as string}\n\n\`node bench/http-load.ts --seconds ${seconds} --rate ${rate} --uploaders ${values.uploaders}\`` +
    `${values.note ? ` — ${values.note}` : ''}\n\n${lines.map((line) => `- ${line}`).join('\n')}\n`,
);
