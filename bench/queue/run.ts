/**
 * The queue benchmark of issue 8: Facteur, graphile-worker and pg-boss on the same PostgreSQL, in
 * one run, alternating, each workload on a freshly created schema, several rounds.
 *
 *   npm run bench:queue -- [--rounds 3] [--jobs 10000] [--single 2000] [--latency-jobs 500]
 *                          [--latency-rate 50] [--retry-jobs 1000] [--finished 1000000]
 *                          [--w5-backlog 100000] [--w5-every-ms 100]
 *                          [--workloads w1,w2,w3,w4,w5,big] [--systems facteur,graphile-worker,pg-boss]
 *                          [--out bench/results] [--note "machine state"]
 *
 * --systems takes variants: a system at settings of its own, `system:key=value,…`, each a column
 * of its own, e.g. facteur:prefetch=1000, graphile-worker:localQueue=1000, pg-boss:batchSize=5
 * (types.ts, parseVariant; each adapter lists its keys). W1 (adds) runs for the first variant of
 * each system only: the worker's settings do not change an add.
 *
 * W1  add one at a time (16 in flight) and in bulk (1,000 per call)
 * W2  drain --jobs no-op jobs with 1 and with 2 worker processes (child processes; each measures its
 *     own peak RSS; connections counted in pg_stat_activity by application_name while they run)
 * W3  pickup latency: --latency-jobs added one at a time at --latency-rate per second to an idle
 *     worker in the same process; handler start minus add() return, performance.now()
 * W4  --retry-jobs jobs that fail on their first run then succeed: time to all done, jobs run more
 *     than twice, jobs lost (must both be 0)
 * W5  fairness (Facteur variants only): owner A adds --w5-backlog jobs in bulk, a worker in this
 *     process starts, and owner B adds one job every --w5-every-ms until A's jobs have all started;
 *     B's pickup latency (handler start − add return) and the drain rate of all jobs (first start to
 *     all completed). `facteur:fifo=1` is the build before fair claiming, for comparison.
 * big Facteur only: the W2 drain (1 process) with --finished completed jobs already in the table,
 *     against the empty-table W2 rate of the same run; and the claim's query plan there
 *
 * PostgreSQL: BENCH_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test. Every schema this
 * run creates is named bench_queue_*, and each is dropped when its workload ends.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg, cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { connect, type Db } from '../../src/db/index.ts';
import { Queue } from '../../src/queue/queue.ts';
import { urlWithSchema } from '../../test/support/schema-url.ts';
import buildDist from '../../test/support/build-dist.ts';
import type { ChildMessage, ChildResult } from './child.ts';
import { fmt, fmtSpread, percentile, spread, type Spread } from './stats.ts';
import { loadAdapter } from './systems.ts';
import { type Adapter, type QueueClient, type SchemaContext, type SystemName, nowAbs, parseVariant } from './types.ts';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    jobs: { type: 'string', default: '10000' },
    single: { type: 'string', default: '2000' },
    'in-flight': { type: 'string', default: '16' },
    bulk: { type: 'string', default: '1000' },
    'latency-jobs': { type: 'string', default: '500' },
    'latency-rate': { type: 'string', default: '50' },
    'retry-jobs': { type: 'string', default: '1000' },
    'w5-backlog': { type: 'string', default: '100000' },
    'w5-every-ms': { type: 'string', default: '100' },
    finished: { type: 'string', default: '1000000' },
    concurrency: { type: 'string', default: '10' },
    workloads: { type: 'string', default: 'w1,w2,w3,w4,w5,big' },
    systems: { type: 'string', default: 'facteur,facteur:fifo=1,graphile-worker,pg-boss' },
    out: { type: 'string', default: 'bench/results' },
    note: { type: 'string', default: '' },
  },
});

const ROUNDS = Number(opts.rounds);
const JOBS = Number(opts.jobs);
const SINGLE = Number(opts.single);
const IN_FLIGHT = Number(opts['in-flight']);
const BULK = Number(opts.bulk);
const LATENCY_JOBS = Number(opts['latency-jobs']);
const LATENCY_RATE = Number(opts['latency-rate']);
const RETRY_JOBS = Number(opts['retry-jobs']);
const FINISHED = Number(opts.finished);
const CONCURRENCY = Number(opts.concurrency);
const WORKLOADS = new Set(opts.workloads.split(',').map((w) => w.trim()));
const W5_BACKLOG = Number(opts['w5-backlog']);
const W5_EVERY_MS = Number(opts['w5-every-ms']);
// Variants are separated by spaces or by commas before a system's name (their own options use commas too).
const VARIANTS = opts.systems
  .split(/\s+|,(?=(?:facteur|graphile-worker|pg-boss)\b)/)
  .filter(Boolean)
  .map(parseVariant);
const SYSTEM_LIST = VARIANTS.map((v) => v.label);
/** The variants that add jobs in W1: the first of each system. */
const ADDERS = new Set(SYSTEM_LIST.filter((label, i) => VARIANTS.findIndex((v) => v.system === VARIANTS[i]!.system) === i));
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const DRAIN_TIMEOUT_MS = 180_000;

const SHORT: Record<SystemName, string> = { facteur: 'facteur', 'graphile-worker': 'gw', 'pg-boss': 'pgboss' };

function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** A deadline that does not keep the process alive. */
const deadline = (ms: number) => new Promise<null>((resolve) => setTimeout(() => resolve(null), ms).unref());

// ---------------------------------------------------------------------------------------------
// Schemas: created per workload, dropped after it (and on the way out, whatever happens).

// The worker processes load Facteur's compiled entry (bench/queue/facteur.ts): compiled from the sources as they are.
buildDist();

const admin = new pg.Client({ connectionString: SERVER_URL, application_name: 'bench-queue-runner' });
await admin.connect();
const liveSchemas = new Set<string>();

async function freshSchema(adapter: Adapter): Promise<SchemaContext> {
  const schema = `bench_queue_${SHORT[adapter.name]}_${randomBytes(4).toString('hex')}`;
  const ctx: SchemaContext = { serverUrl: SERVER_URL, schema, applicationName: `bench-${SHORT[adapter.name]}-${schema.slice(-8)}` };
  liveSchemas.add(schema);
  await adapter.install(ctx);
  return ctx;
}

async function dropSchema(ctx: SchemaContext): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS ${ctx.schema} CASCADE`);
  liveSchemas.delete(ctx.schema);
}

async function dropAll(): Promise<void> {
  for (const schema of liveSchemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  liveSchemas.clear();
}

const children = new Set<ChildProcess>();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  log('interrupted: stopping children and dropping this run’s schemas');
  for (const child of children) child.kill('SIGKILL');
  void dropAll().finally(() => process.exit(130));
});

/** Samples how many connections carry `applicationName` until stopped; returns the peak. */
function sampleConnections(applicationName: string): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const sampler = new pg.Client({ connectionString: SERVER_URL, application_name: 'bench-queue-sampler' });
  const loop = (async () => {
    await sampler.connect();
    while (running) {
      const { rows } = await sampler.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [
        applicationName,
      ]);
      peak = Math.max(peak, rows[0]!.n);
      await sleep(50);
    }
    await sampler.end();
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

async function waitUntil(check: () => Promise<boolean>, everyMs: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

function seqs(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

async function addBulk(client: { addMany(s: readonly number[]): Promise<void> }, total: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < total; i += BULK) await client.addMany(seqs(i, Math.min(BULK, total - i)));
  return performance.now() - started;
}

// ---------------------------------------------------------------------------------------------
// W1: adds.

interface W1Result {
  singlePerSecond: number;
  bulkPerSecond: number;
  /** Facteur only: single adds from a Queue with `notify: false` (a poll-only deployment). */
  singleNoNotifyPerSecond?: number;
}

async function singleAdds(client: QueueClient, from: number): Promise<number> {
  // Warm-up, untimed: the pool's connections open, statements are prepared.
  await client.unsettled();
  for (let i = 0; i < IN_FLIGHT; i += 1) await client.add(-1 - i - from);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < SINGLE) {
        const seq = next++;
        await client.add(from + seq);
      }
    }),
  );
  return SINGLE / ((performance.now() - started) / 1000);
}

async function w1(adapter: Adapter): Promise<W1Result> {
  const ctx = await freshSchema(adapter);
  const client = await adapter.openClient(ctx);
  try {
    const singlePerSecond = await singleAdds(client, 0);
    const bulkMs = await addBulk({ addMany: (s) => client.addMany(s.map((x) => x + 1_000_000)) }, JOBS);
    const result: W1Result = { singlePerSecond, bulkPerSecond: JOBS / (bulkMs / 1000) };
    if (adapter.name === 'facteur') {
      const quiet = await adapter.openClient(ctx, { notify: false });
      try {
        result.singleNoNotifyPerSecond = await singleAdds(quiet, 2_000_000);
      } finally {
        await quiet.close();
      }
    }
    return result;
  } finally {
    await client.close();
    await dropSchema(ctx);
  }
}

// ---------------------------------------------------------------------------------------------
// W2: drain with worker processes.

interface DrainResult {
  /** Jobs per second from the first handler start to the last job recorded as completed. */
  perSecond: number;
  drainMs: number;
  /** From the go signal (includes each worker's start-up) to all completed. */
  fromGoMs: number;
  bulkAddPerSecond: number;
  runs: number;
  peakRssMiB: number;
  /** The slowest worker process's start-up (process start to adapter loaded, plus go to worker started). */
  startupMs: number;
  connections: number;
  error?: string;
}

function spawnChild(
  adapterName: string,
  ctx: SchemaContext,
): { child: ChildProcess; messages: ChildMessage[]; ready: Promise<void>; result: Promise<ChildResult> } {
  const child = fork(CHILD, [adapterName, SERVER_URL, ctx.schema, ctx.applicationName, String(CONCURRENCY)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const messages: ChildMessage[] = [];
  let onReady: () => void = () => {};
  let onResult: (r: ChildResult) => void = () => {};
  let onFail: (e: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onFail = reject;
  });
  const result = new Promise<ChildResult>((resolve, reject) => {
    onResult = resolve;
    const previous = onFail;
    onFail = (e) => {
      previous(e);
      reject(e);
    };
  });
  result.catch(() => {});
  ready.catch(() => {});
  child.on('message', (message: ChildMessage) => {
    messages.push(message);
    if (message.type === 'ready') onReady();
    if (message.type === 'result') onResult(message);
    if (message.type === 'error') onFail(new Error(message.error));
  });
  child.on('exit', (code) => {
    children.delete(child);
    onFail(new Error(`worker process exited with code ${code}`));
  });
  return { child, messages, ready, result };
}

async function drain(
  adapter: Adapter,
  processes: number,
  options: { ctx?: SchemaContext; keepSchema?: boolean; preloaded?: boolean } = {},
): Promise<DrainResult> {
  const ctx = options.ctx ?? (await freshSchema(adapter));
  const client = await adapter.openClient(ctx);
  const spawned: ReturnType<typeof spawnChild>[] = [];
  try {
    const bulkMs = options.preloaded ? Number.NaN : await addBulk(client, JOBS);
    const initiallyUnfinished = await client.unsettled();
    for (let i = 0; i < processes; i += 1) spawned.push(spawnChild(adapter.label, ctx));
    await Promise.all(spawned.map((s) => s.ready));
    const connections = sampleConnections(ctx.applicationName);
    const goAbs = nowAbs();
    for (const s of spawned) s.child.send({ type: 'go' });
    const runsSoFar = () =>
      spawned.reduce((sum, s) => {
        for (let i = s.messages.length - 1; i >= 0; i -= 1) {
          const m = s.messages[i]!;
          if (m.type === 'progress') return sum + m.runs;
        }
        return sum;
      }, 0);
    const failure = Promise.race(spawned.map((s) => s.result.then(() => new Promise<never>(() => {})))).catch((e: Error) => e);
    let error: string | undefined;
    // Handlers first (cheap, over IPC), then the database: done when nothing is left unsettled.
    const handled = await Promise.race([waitUntil(async () => runsSoFar() >= initiallyUnfinished, 5, DRAIN_TIMEOUT_MS), failure]);
    if (handled instanceof Error) error = handled.message;
    else if (!handled) error = `timeout: ${runsSoFar()} of ${initiallyUnfinished} handled`;
    let endAbs = nowAbs();
    if (!error) {
      const done = await waitUntil(async () => (await client.unsettled()) === 0, 2, 30_000);
      endAbs = nowAbs();
      if (!done) error = `timeout: ${await client.unsettled()} jobs still unsettled after every handler ran`;
    }
    const peakConnections = await connections.stop();
    for (const s of spawned) if (s.child.connected) s.child.send({ type: 'stop' });
    const results = await Promise.all(spawned.map((s) => Promise.race([s.result, deadline(30_000)]).catch(() => null)));
    const finished = results.filter((r): r is ChildResult => r !== null);
    for (const r of finished) if (r.error) error ??= r.error;
    const firstStart = Math.min(...finished.map((r) => r.firstStartAbs ?? Number.POSITIVE_INFINITY));
    const drainMs = endAbs - firstStart;
    return {
      perSecond: error ? Number.NaN : initiallyUnfinished / (drainMs / 1000),
      drainMs,
      fromGoMs: endAbs - goAbs,
      bulkAddPerSecond: JOBS / (bulkMs / 1000),
      runs: finished.reduce((sum, r) => sum + r.runs, 0),
      peakRssMiB: Math.max(...finished.map((r) => r.maxRssKiB / 1024)),
      startupMs: Math.max(...finished.map((r) => r.startupMs)),
      connections: peakConnections,
      ...(error ? { error } : {}),
    };
  } finally {
    for (const s of spawned) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await client.close();
    if (!options.keepSchema) await dropSchema(ctx);
  }
}

// ---------------------------------------------------------------------------------------------
// W3: pickup latency, one process.

interface LatencyResult {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  started: number;
  addRatePerSecond: number;
  error?: string;
}

async function latency(adapter: Adapter): Promise<LatencyResult> {
  const ctx = await freshSchema(adapter);
  const client = await adapter.openClient(ctx);
  const starts = new Float64Array(LATENCY_JOBS).fill(Number.NaN);
  const returns = new Float64Array(LATENCY_JOBS).fill(Number.NaN);
  let started = 0;
  const worker = await adapter.startWorker(ctx, {
    concurrency: CONCURRENCY,
    handler: (seq) => {
      if (seq >= 0 && seq < LATENCY_JOBS && Number.isNaN(starts[seq]!)) {
        starts[seq] = performance.now();
        started += 1;
      }
    },
  });
  try {
    await client.unsettled();
    await sleep(1500); // idle: the worker has settled into waiting for work
    const interval = 1000 / LATENCY_RATE;
    const t0 = performance.now();
    const adds: Promise<void>[] = [];
    for (let i = 0; i < LATENCY_JOBS; i += 1) {
      const wait = t0 + i * interval - performance.now();
      if (wait > 0) await sleep(wait);
      adds.push(client.add(i).then(() => void (returns[i] = performance.now())));
    }
    await Promise.all(adds);
    const addRatePerSecond = LATENCY_JOBS / ((performance.now() - t0) / 1000);
    const ok = await waitUntil(async () => started >= LATENCY_JOBS, 5, 30_000);
    const lat: number[] = [];
    for (let i = 0; i < LATENCY_JOBS; i += 1) if (!Number.isNaN(starts[i]!)) lat.push(starts[i]! - returns[i]!);
    lat.sort((a, b) => a - b);
    return {
      p50: percentile(lat, 50),
      p95: percentile(lat, 95),
      p99: percentile(lat, 99),
      max: lat[lat.length - 1] ?? Number.NaN,
      started,
      addRatePerSecond,
      ...(ok ? {} : { error: `only ${started} of ${LATENCY_JOBS} jobs started within 30 s` }),
    };
  } finally {
    await worker.stop();
    await client.close();
    await dropSchema(ctx);
  }
}

// ---------------------------------------------------------------------------------------------
// W4: fail once, then succeed.

interface RetryResult {
  allDoneMs: number;
  fromStartMs: number;
  lost: number;
  ranMoreThanTwice: number;
  ranOnce: number;
  error?: string;
}

async function retry(adapter: Adapter): Promise<RetryResult> {
  const ctx = await freshSchema(adapter);
  const client = await adapter.openClient(ctx);
  const runs = new Int32Array(RETRY_JOBS);
  let firstStart = Number.NaN;
  try {
    await addBulk(client, RETRY_JOBS);
    const t0 = performance.now();
    const worker = await adapter.startWorker(ctx, {
      concurrency: CONCURRENCY,
      mayFail: true,
      handler: (seq) => {
        if (Number.isNaN(firstStart)) firstStart = performance.now();
        runs[seq]! += 1;
        if (runs[seq] === 1) throw new Error('fails on its first run');
      },
    });
    let error: string | undefined;
    let tDone = Number.NaN;
    try {
      const done = await waitUntil(async () => (await client.unsettled()) === 0, 5, 60_000);
      tDone = performance.now();
      if (!done) error = `timeout: ${await client.unsettled()} jobs unsettled after 60 s`;
    } finally {
      await worker.stop();
    }
    const lost = await client.notSucceeded();
    let ranMoreThanTwice = 0;
    let ranOnce = 0;
    for (const n of runs) {
      if (n > 2) ranMoreThanTwice += 1;
      if (n === 1) ranOnce += 1;
    }
    return { allDoneMs: tDone - firstStart, fromStartMs: tDone - t0, lost, ranMoreThanTwice, ranOnce, ...(error ? { error } : {}) };
  } finally {
    await client.close();
    await dropSchema(ctx);
  }
}

// ---------------------------------------------------------------------------------------------
// W5: fairness between owners (Facteur only: the peers have no fair share between groups of jobs
// in one worker; graphile-worker's named queues run their jobs one at a time).

interface FairnessResult {
  /** B's pickup latency: handler start − add return (ms). */
  p50: number;
  p99: number;
  max: number;
  bJobs: number;
  /** All jobs (A's and B's) over first handler start → all completed. */
  perSecond: number;
  drainMs: number;
  error?: string;
}

/** B's jobs carry seqs from here, A's from 0. */
const B_SEQ = 10_000_000;

async function fairness(adapter: Adapter): Promise<FairnessResult> {
  const ctx = await freshSchema(adapter);
  const client = await adapter.openClient(ctx);
  const bReturns: number[] = [];
  const bStarts: number[] = [];
  let aStarted = 0;
  let firstStart = Number.NaN;
  try {
    for (let i = 0; i < W5_BACKLOG; i += BULK) await client.addMany(seqs(i, Math.min(BULK, W5_BACKLOG - i)), 'owner-a');
    await client.unsettled();
    const worker = await adapter.startWorker(ctx, {
      concurrency: CONCURRENCY,
      handler: (seq) => {
        const now = performance.now();
        if (Number.isNaN(firstStart)) firstStart = now;
        if (seq >= B_SEQ) bStarts[seq - B_SEQ] ??= now;
        else aStarted += 1;
      },
    });
    let error: string | undefined;
    let endedAt = Number.NaN;
    try {
      const t0 = performance.now();
      const adds: Promise<void>[] = [];
      for (let i = 0; aStarted < W5_BACKLOG; i += 1) {
        if (performance.now() - t0 > DRAIN_TIMEOUT_MS) {
          error = `timeout: ${aStarted} of A's ${W5_BACKLOG} jobs started`;
          break;
        }
        const wait = t0 + i * W5_EVERY_MS - performance.now();
        if (wait > 0) await sleep(wait);
        adds.push(client.add(B_SEQ + i, 'owner-b').then(() => void (bReturns[i] = performance.now())));
      }
      await Promise.all(adds);
      const done = await waitUntil(async () => (await client.unsettled()) === 0, 2, 60_000);
      endedAt = performance.now();
      if (!done) error ??= `timeout: ${await client.unsettled()} jobs unsettled at the end`;
    } finally {
      await worker.stop();
    }
    const lat = bReturns.map((returned, i) => (bStarts[i] ?? Number.NaN) - returned).filter((x) => !Number.isNaN(x));
    if (lat.length < bReturns.length) error ??= `${bReturns.length - lat.length} of B's jobs never started`;
    lat.sort((a, b) => a - b);
    const drainMs = endedAt - firstStart;
    return {
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      max: lat[lat.length - 1] ?? Number.NaN,
      bJobs: bReturns.length,
      perSecond: (W5_BACKLOG + bReturns.length) / (drainMs / 1000),
      drainMs,
      ...(error ? { error } : {}),
    };
  } finally {
    await client.close();
    await dropSchema(ctx);
  }
}

// ---------------------------------------------------------------------------------------------
// Large table (Facteur only): finished jobs in the table, then the W2 drain; and the claim's plan.

/** A Db that, instead of running the claim statement, hands it over (text and parameters) and returns no row. */
function capturingDb(db: Db, sink: { text?: string; params?: readonly unknown[] }): Db {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'query') {
        return async (text: string, params?: readonly unknown[]) => {
          if (text.includes('FOR UPDATE SKIP LOCKED') && text.includes("SET status = 'processing'")) {
            sink.text = text;
            sink.params = params;
            return { rows: [], rowCount: 0 };
          }
          return target.query(text, params);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** EXPLAIN (ANALYZE, BUFFERS) of Facteur's own claim statement, as the worker sends it, rolled back. */
async function claimPlan(ctx: SchemaContext, limit: number): Promise<{ custom: string; generic: string }> {
  const db = await connect({ url: urlWithSchema(SERVER_URL, ctx.schema), applicationName: 'bench-queue-explain', maxConnections: 1 });
  const sink: { text?: string; params?: readonly unknown[] } = {};
  try {
    await new Queue(capturingDb(db, sink)).claim({ tasks: ['noop'], limit, workerId: 'bench-explain', leaseMs: 30_000 });
  } finally {
    await db.close();
  }
  if (!sink.text) return { custom: '(claim statement not captured)', generic: '' };
  const client = new pg.Client({ connectionString: urlWithSchema(SERVER_URL, ctx.schema), application_name: 'bench-queue-explain' });
  await client.connect();
  try {
    await client.query('BEGIN');
    const custom = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sink.text}`, [...(sink.params ?? [])]);
    await client.query('ROLLBACK');
    let generic = '';
    try {
      // What a named prepared statement may switch to after five executions.
      await client.query('BEGIN');
      await client.query("SET LOCAL plan_cache_mode = 'force_generic_plan'");
      await client.query(`PREPARE bench_claim(text[], int, text, float8, boolean) AS ${sink.text}`);
      const literal = (v: unknown) =>
        Array.isArray(v)
          ? `ARRAY[${v.map((x) => pg.escapeLiteral(String(x))).join(',')}]::text[]`
          : typeof v === 'string'
            ? pg.escapeLiteral(v)
            : String(v);
      const g = await client.query(`EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_claim(${(sink.params ?? []).map(literal).join(', ')})`);
      generic = g.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    } catch (e) {
      generic = `(generic plan not captured: ${(e as Error).message})`;
    } finally {
      await client.query('ROLLBACK').catch(() => {});
      await client.query('DEALLOCATE ALL').catch(() => {});
    }
    return { custom: custom.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'), generic };
  } finally {
    await client.end();
  }
}

async function insertFinished(ctx: SchemaContext, count: number): Promise<number> {
  const client = new pg.Client({ connectionString: urlWithSchema(SERVER_URL, ctx.schema), application_name: 'bench-queue-runner' });
  await client.connect();
  const started = performance.now();
  try {
    const step = 200_000;
    for (let done = 0; done < count; done += step) {
      const n = Math.min(step, count - done);
      // Finished jobs as the worker leaves them: the completing attempt is the job's row itself.
      await client.query(
        `INSERT INTO processing_queue (task, payload, status, attempts, created_at, started_at, completed_at, updated_at, locked_by, duration_ms)
         SELECT 'noop', jsonb_build_object('seq', -g), 'completed', 1, now() - interval '1 hour', now() - interval '1 hour',
                now() - interval '1 hour', now() - interval '1 hour', 'bench-history', 0
           FROM generate_series(1, $1::int) g`,
        [n],
      );
    }
    await client.query('VACUUM ANALYZE processing_queue');
  } finally {
    await client.end();
  }
  return performance.now() - started;
}

// ---------------------------------------------------------------------------------------------
// The run.

type PerSystem<T> = Partial<Record<string, T[]>>;
const results = {
  w1: {} as PerSystem<W1Result>,
  w2one: {} as PerSystem<DrainResult>,
  w2two: {} as PerSystem<DrainResult>,
  w3: {} as PerSystem<LatencyResult>,
  w4: {} as PerSystem<RetryResult>,
  w5: {} as PerSystem<FairnessResult>,
  big: {
    drains: [] as DrainResult[],
    emptyDrains: [] as DrainResult[],
    finished: 0,
    insertMs: 0,
    plan: null as null | { custom: string; generic: string },
    emptyPlan: null as null | { custom: string; generic: string },
  },
};

function push<T>(bucket: PerSystem<T>, system: string, value: T): void {
  (bucket[system] ??= []).push(value);
}

async function serverFacts(): Promise<Record<string, string>> {
  const facts: Record<string, string> = {};
  for (const setting of ['server_version', 'fsync', 'synchronous_commit', 'shared_buffers', 'max_connections', 'wal_level']) {
    const { rows } = await admin.query(`SHOW ${setting}`);
    facts[setting] = String(Object.values(rows[0] as Record<string, unknown>)[0]);
  }
  const { rows } = await admin.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend'",
  );
  facts.client_backends_at_start = String(rows[0]!.n);
  return facts;
}

const adapters = new Map<string, Adapter>();
for (const variant of VARIANTS) adapters.set(variant.label, await loadAdapter(variant));
const startedAt = new Date();
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  loadavgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  loadavgAtEnd: [] as number[],
  node: process.version,
  note: opts.note,
};
const server = await serverFacts();
/** The Facteur measured: the commit, and whether the queue's sources differed from it (others work in this tree). */
const facteurSource = (() => {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const dirty = git('status', '--porcelain', '--', 'src/queue', 'src/db', 'supabase/migrations');
  return { commit: git('rev-parse', '--short', 'HEAD'), uncommitted: dirty ? dirty.split('\n').map((l) => l.trim()) : [] };
})();
log(
  `queue benchmark: ${ROUNDS} round(s), systems ${SYSTEM_LIST.join(', ')}, workloads ${[...WORKLOADS].join(', ')}; load ${machine.loadavgAtStart.join(' ')}`,
);

try {
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternate: each round starts with the next system.
    const order = SYSTEM_LIST.map((_, i) => SYSTEM_LIST[(i + round) % SYSTEM_LIST.length]!);
    if (WORKLOADS.has('w1')) {
      for (const name of order.filter((label) => ADDERS.has(label))) {
        const r = await w1(adapters.get(name)!);
        push(results.w1, name, r);
        log(
          `round ${round + 1} W1 ${name}: one at a time ${fmt(r.singlePerSecond)}/s, bulk ${fmt(r.bulkPerSecond)}/s${r.singleNoNotifyPerSecond ? `, one at a time without NOTIFY ${fmt(r.singleNoNotifyPerSecond)}/s` : ''}`,
        );
      }
    }
    if (WORKLOADS.has('w2')) {
      for (const processes of [1, 2]) {
        for (const name of order) {
          const r = await drain(adapters.get(name)!, processes);
          push(processes === 1 ? results.w2one : results.w2two, name, r);
          log(
            `round ${round + 1} W2 ${name} ×${processes}: ${fmt(r.perSecond)} jobs/s (${Math.round(r.drainMs)} ms, from go ${Math.round(r.fromGoMs)} ms), runs ${r.runs}, RSS ${fmt(r.peakRssMiB)} MiB, start-up ${Math.round(r.startupMs)} ms, ${r.connections} conn${r.error ? `, ERROR ${r.error}` : ''}`,
          );
        }
      }
    }
    if (WORKLOADS.has('w3')) {
      for (const name of order) {
        const r = await latency(adapters.get(name)!);
        push(results.w3, name, r);
        log(
          `round ${round + 1} W3 ${name}: p50 ${fmt(r.p50)} p95 ${fmt(r.p95)} p99 ${fmt(r.p99)} max ${fmt(r.max)} ms (adds at ${fmt(r.addRatePerSecond)}/s)${r.error ? `, ERROR ${r.error}` : ''}`,
        );
      }
    }
    if (WORKLOADS.has('w4')) {
      for (const name of order) {
        const r = await retry(adapters.get(name)!);
        push(results.w4, name, r);
        log(
          `round ${round + 1} W4 ${name}: all done in ${fmt(r.allDoneMs)} ms, lost ${r.lost}, ran >2× ${r.ranMoreThanTwice}${r.error ? `, ERROR ${r.error}` : ''}`,
        );
      }
    }
    if (WORKLOADS.has('w5')) {
      for (const name of order.filter((label) => adapters.get(label)!.name === 'facteur')) {
        const r = await fairness(adapters.get(name)!);
        push(results.w5, name, r);
        log(
          `round ${round + 1} W5 ${name}: B's pickup p50 ${fmt(r.p50)} p99 ${fmt(r.p99)} max ${fmt(r.max)} ms over ${r.bJobs} jobs; drain ${fmt(r.perSecond)} jobs/s${r.error ? `, ERROR ${r.error}` : ''}`,
        );
      }
    }
  }

  const facteurLabel = SYSTEM_LIST.find((label) => adapters.get(label)!.name === 'facteur' && !label.includes('fifo=1'));
  if (WORKLOADS.has('big') && facteurLabel) {
    const facteur = adapters.get(facteurLabel)!;
    // The claim's plan on a table holding only the pending jobs, for comparison.
    {
      const ctx = await freshSchema(facteur);
      const client = await facteur.openClient(ctx);
      await addBulk(client, JOBS);
      await client.close();
      results.big.emptyPlan = await claimPlan(ctx, CONCURRENCY + 100);
      await dropSchema(ctx);
    }
    const ctx = await freshSchema(facteur);
    try {
      log(`big: inserting ${FINISHED.toLocaleString('en')} finished jobs (and their attempt rows)`);
      results.big.insertMs = await insertFinished(ctx, FINISHED);
      results.big.finished = FINISHED;
      log(`big: inserted in ${Math.round(results.big.insertMs / 1000)} s`);
      for (let round = 0; round < ROUNDS; round += 1) {
        if (round === 0) {
          const client = await facteur.openClient(ctx);
          await addBulk(client, JOBS);
          await client.close();
          results.big.plan = await claimPlan(ctx, CONCURRENCY + 100);
        }
        // Round 1 drains the jobs the plan was taken with; the others add their own.
        const r = await drain(facteur, 1, { ctx, keepSchema: true, preloaded: round === 0 });
        results.big.drains.push(r);
        log(
          `big round ${round + 1}: ${fmt(r.perSecond)} jobs/s with ${(FINISHED + round * JOBS).toLocaleString('en')}+ finished jobs in the table${r.error ? `, ERROR ${r.error}` : ''}`,
        );
        // The empty-table rate right beside it, so the ratio compares like with like.
        const e = await drain(facteur, 1);
        results.big.emptyDrains.push(e);
        log(`big round ${round + 1}: ${fmt(e.perSecond)} jobs/s on an empty table${e.error ? `, ERROR ${e.error}` : ''}`);
      }
    } finally {
      await dropSchema(ctx);
    }
  }
} finally {
  await dropAll();
  machine.loadavgAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
}

// ---------------------------------------------------------------------------------------------
// Report.

const finishedAt = new Date();
const settings = Object.fromEntries([...adapters].map(([name, a]) => [name, a.settings]));
const ms = (v: number) => v;

function column<T>(bucket: PerSystem<T>, pick: (r: T) => number): Partial<Record<string, Spread | null>> {
  return Object.fromEntries(SYSTEM_LIST.map((name) => [name, spread((bucket[name] ?? []).map(pick))]));
}

const summary = {
  'W1 add one at a time, 16 in flight (jobs/s)': column(results.w1, (r) => r.singlePerSecond),
  'W1 add one at a time, without NOTIFY (jobs/s)': column(results.w1, (r) => r.singleNoNotifyPerSecond ?? Number.NaN),
  [`W1 bulk add, ${BULK} per call (jobs/s)`]: column(results.w1, (r) => r.bulkPerSecond),
  [`W2 drain ${JOBS} jobs, 1 process (jobs/s)`]: column(results.w2one, (r) => r.perSecond),
  [`W2 drain ${JOBS} jobs, 2 processes (jobs/s)`]: column(results.w2two, (r) => r.perSecond),
  'W3 pickup latency p50 (ms)': column(results.w3, (r) => ms(r.p50)),
  'W3 pickup latency p95 (ms)': column(results.w3, (r) => ms(r.p95)),
  'W3 pickup latency p99 (ms)': column(results.w3, (r) => ms(r.p99)),
  'W3 pickup latency max (ms)': column(results.w3, (r) => ms(r.max)),
  [`W4 ${RETRY_JOBS} jobs failing once: time to all done (s)`]: column(results.w4, (r) => r.allDoneMs / 1000),
  'W4 jobs lost': column(results.w4, (r) => r.lost),
  'W4 jobs run more than twice': column(results.w4, (r) => r.ranMoreThanTwice),
  'Worker peak RSS, 1 process, W2 (MiB)': column(results.w2one, (r) => r.peakRssMiB),
  'Worker start-up, 1 process, W2 (ms)': column(results.w2one, (r) => r.startupMs),
  'Connections used, 1 worker process, W2': column(results.w2one, (r) => r.connections),
  'Connections used, 2 worker processes, W2': column(results.w2two, (r) => r.connections),
  [`W5 owner B's pickup p50 while A's ${W5_BACKLOG} drain (ms)`]: column(results.w5, (r) => r.p50),
  [`W5 owner B's pickup p99 while A's ${W5_BACKLOG} drain (ms)`]: column(results.w5, (r) => r.p99),
  'W5 owner B’s pickup max (ms)': column(results.w5, (r) => r.max),
  'W5 drain of all jobs (jobs/s)': column(results.w5, (r) => r.perSecond),
};

function median(bucket: Partial<Record<string, Spread | null>>, name: string): number {
  return bucket[name]?.median ?? Number.NaN;
}

interface Target {
  target: string;
  value: string;
  met: boolean | null;
}

const targets: Target[] = [];
{
  const s = summary;
  const labelsOf = (pick: (a: Adapter) => boolean) => SYSTEM_LIST.filter((label) => pick(adapters.get(label)!));
  const facteurs = labelsOf((a) => a.name === 'facteur' && !a.label.includes('fifo=1'));
  const peers = labelsOf((a) => a.name !== 'facteur');
  /** The best median among `labels` (the highest, or the lowest with `lowest`), with its label. */
  const best = (bucket: Partial<Record<string, Spread | null>>, labels: string[], lowest = false) =>
    labels
      .map((label) => ({ label, value: median(bucket, label) }))
      .filter((x) => Number.isFinite(x.value))
      .sort((x, y) => (lowest ? x.value - y.value : y.value - x.value))[0] ?? { label: '–', value: Number.NaN };
  const add = (target: string, value: number, goal: (v: number) => boolean, shown: string) =>
    targets.push({ target, value: shown, met: Number.isFinite(value) ? goal(value) : null });
  for (const [processes, bucket] of [
    [1, s[`W2 drain ${JOBS} jobs, 1 process (jobs/s)`]!],
    [2, s[`W2 drain ${JOBS} jobs, 2 processes (jobs/s)`]!],
  ] as const) {
    const f = best(bucket, facteurs);
    const p = best(bucket, peers);
    const v = f.value / p.value;
    add(
      `W2 drain, ${processes} process(es), best settings ≥ 1.3 × the best peer`,
      v,
      (x) => x >= 1.3,
      `${fmt(f.value)} (${f.label}) vs ${fmt(p.value)} (${p.label}): ${fmt(v)} ×`,
    );
  }
  for (const q of ['p50', 'p99'] as const) {
    const bucket = s[`W3 pickup latency ${q} (ms)`]!;
    const f = best(bucket, facteurs, true);
    const p = best(bucket, peers, true);
    add(`W3 ${q} ≤ the best peer`, f.value / p.value, (x) => x <= 1, `${fmt(f.value)} (${f.label}) vs ${fmt(p.value)} ms (${p.label})`);
  }
  {
    const bucket = s['Worker peak RSS, 1 process, W2 (MiB)']!;
    const f = best(bucket, facteurs, true);
    const p = best(bucket, peers, true);
    add(
      'Worker peak RSS ≤ the peers’',
      f.value / p.value,
      (x) => x <= 1,
      `${fmt(f.value)} (${f.label}) vs ${fmt(p.value)} MiB (${p.label})`,
    );
  }
  const lost = facteurs.reduce((n, label) => n + (results.w4[label] ?? []).reduce((m, r) => m + r.lost + r.ranMoreThanTwice, 0), 0);
  add(
    'W4 Facteur: 0 lost, 0 run more than twice (all rounds)',
    results.w4[facteurs[0] ?? ''] ? lost : Number.NaN,
    (x) => x === 0,
    `${lost}`,
  );
  const p99 = s[`W5 owner B's pickup p99 while A's ${W5_BACKLOG} drain (ms)`]!;
  const drains = s['W5 drain of all jobs (jobs/s)']!;
  for (const label of facteurs.filter((l) => results.w5[l])) {
    // Against the build before fair claiming at the same prefetch.
    const prefetch = adapters.get(label)!.settings.prefetch;
    const fifo = SYSTEM_LIST.find((l) => l.includes('fifo=1') && adapters.get(l)!.settings.prefetch === prefetch);
    add(`W5 ${label}: B's pickup p99 ≤ 1 s`, median(p99, label), (x) => x <= 1000, `${fmt(median(p99, label))} ms`);
    if (fifo) {
      const v = median(drains, label) / median(drains, fifo);
      add(
        `W5 ${label}: drain within 10 % of ${fifo}`,
        v,
        (x) => x >= 0.9,
        `${fmt(median(drains, label))} vs ${fmt(median(drains, fifo))} jobs/s (${fmt(v)} ×)`,
      );
    }
  }
  const big = spread(results.big.drains.map((r) => r.perSecond));
  const empty = spread(results.big.emptyDrains.map((r) => r.perSecond));
  if (big && empty) {
    const v = big.median / empty.median;
    add(
      `Drain with ${results.big.finished.toLocaleString('en')} finished jobs within 10 % of the empty table (interleaved runs)`,
      v,
      (x) => x >= 0.9,
      `${fmt(big.median)} vs ${fmt(empty.median)} jobs/s (${fmt(v)} ×)`,
    );
  }
}

const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
const json = {
  benchmark: 'queue',
  startedAt: startedAt.toISOString(),
  finishedAt: finishedAt.toISOString(),
  parameters: {
    rounds: ROUNDS,
    jobs: JOBS,
    single: SINGLE,
    inFlight: IN_FLIGHT,
    bulk: BULK,
    latencyJobs: LATENCY_JOBS,
    latencyRate: LATENCY_RATE,
    retryJobs: RETRY_JOBS,
    w5Backlog: W5_BACKLOG,
    w5EveryMs: W5_EVERY_MS,
    finished: FINISHED,
    concurrency: CONCURRENCY,
    workloads: [...WORKLOADS],
  },
  machine,
  server,
  facteurSource,
  settings,
  summary,
  targets,
  raw: results,
};

const lines: string[] = [];
lines.push(`# Queue benchmark, ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
lines.push('');
lines.push(
  `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; PostgreSQL ${server.server_version} on loopback, fsync ${server.fsync}, synchronous_commit ${server.synchronous_commit}, shared_buffers ${server.shared_buffers}. ` +
    `Load average ${machine.loadavgAtStart.join(' / ')} at the start, ${machine.loadavgAtEnd.join(' / ')} at the end; ${server.client_backends_at_start} client connection(s) on the server at the start.` +
    (machine.note ? ` ${machine.note}` : ''),
);
lines.push('');
lines.push(
  `Facteur at commit ${facteurSource.commit}${facteurSource.uncommitted.length > 0 ? ` with uncommitted changes in ${facteurSource.uncommitted.join(', ')}` : ''}.`,
);
lines.push('');
lines.push(
  `${ROUNDS} round(s), systems alternating (each round starts with the next), a fresh schema per workload and system. No-op jobs, concurrency ${CONCURRENCY} everywhere. Medians, (min–max) over the rounds.`,
);
lines.push('');
lines.push(`| | ${SYSTEM_LIST.join(' | ')} |`);
lines.push(`|---|${SYSTEM_LIST.map(() => '---').join('|')}|`);
for (const [label, bucket] of Object.entries(summary)) {
  const digits = label.includes('(s)') ? 3 : label.includes('(ms)') ? 3 : 3;
  lines.push(`| ${label} | ${SYSTEM_LIST.map((name) => fmtSpread(bucket[name] ?? null, '', digits)).join(' | ')} |`);
}
if (results.big.drains.length > 0) {
  lines.push('');
  lines.push(
    `Facteur, W2 drain (1 process) with ${results.big.finished.toLocaleString('en')} completed jobs already in the table: ${fmtSpread(spread(results.big.drains.map((r) => r.perSecond)))} jobs/s; on an empty table, in runs interleaved with those: ${fmtSpread(spread(results.big.emptyDrains.map((r) => r.perSecond)))} jobs/s (inserting the finished jobs took ${Math.round(results.big.insertMs / 1000)} s).`,
  );
}
lines.push('');
lines.push('## Targets (issue 19), from this run');
lines.push('');
lines.push('| target | Facteur | met |');
lines.push('|---|---|---|');
for (const t of targets) lines.push(`| ${t.target} | ${t.value} | ${t.met === null ? '–' : t.met ? 'yes' : '**no**'} |`);
lines.push('');
lines.push('## Settings');
lines.push('');
for (const [name, s] of Object.entries(settings)) {
  lines.push(
    `- **${name}**: ${Object.entries(s)
      .map(([k, v]) => `${k} ${v}`)
      .join('; ')}`,
  );
}
lines.push('');
lines.push('## How each number is taken');
lines.push('');
lines.push(
  [
    `- W1: ${SINGLE} single adds from ${IN_FLIGHT} concurrent loops after ${IN_FLIGHT} untimed warm-up adds; then ${JOBS} jobs in calls of ${BULK}, on the same fresh schema.`,
    `- W2: ${JOBS} jobs added in bulk, then 1 or 2 worker processes (node bench/queue/child.ts, only the measured library loaded) told to start at once; rate = jobs / (all jobs recorded completed in the database − first handler start). Peak RSS: the worker process's own process.resourceUsage().maxRSS. Start-up: process start to the system's library loaded (performance.now() in the child: Node, the child's own TypeScript, the library's imports), plus go to its worker started; Facteur loads ${process.env.BENCH_FACTEUR_FROM === 'src' ? 'its TypeScript sources (BENCH_FACTEUR_FROM=src)' : 'its compiled entry (dist/index.js)'}. Connections: peak count in pg_stat_activity of the worker's application_name, sampled every 50 ms.`,
    `- W3: a worker started in this process, left idle 1.5 s; ${LATENCY_JOBS} jobs added one at a time at ${LATENCY_RATE}/s; latency = handler start − the add call's return (performance.now()).`,
    `- W4: ${RETRY_JOBS} jobs added in bulk; the handler throws on a job's first run; time = every job settled (completed, or failed for good) in the database − first handler start. Lost = jobs not completed at the end; runs counted in the handler.`,
    `- W5 (Facteur variants): owner A's ${W5_BACKLOG} jobs added in bulk, a worker started in this process, then owner B adds one job every ${W5_EVERY_MS} ms until A's jobs have all started; B's pickup = handler start − add return; drain = all jobs / (all completed − first handler start). The peers have no fair share between groups of jobs within one worker (graphile-worker's named queues run their jobs one at a time; pg-boss would need a worker per queue), so W5 runs Facteur only: fair claiming against the build before it (fifo=1).`,
  ].join('\n'),
);
if (results.big.plan) {
  lines.push('');
  lines.push(
    `## Facteur's claim plan (EXPLAIN ANALYZE, rolled back), ${results.big.finished.toLocaleString('en')} finished + ${JOBS} pending jobs`,
  );
  lines.push('');
  lines.push('```');
  lines.push(results.big.plan.custom);
  lines.push('```');
  lines.push('');
  lines.push('Generic plan (what a named prepared statement may switch to):');
  lines.push('');
  lines.push('```');
  lines.push(results.big.plan.generic);
  lines.push('```');
}
if (results.big.emptyPlan) {
  lines.push('');
  lines.push(`Same claim, table holding only the ${JOBS} pending jobs:`);
  lines.push('');
  lines.push('```');
  lines.push(results.big.emptyPlan.custom);
  lines.push('```');
}
const errors = Object.entries(results)
  .flatMap(([w, bucket]) =>
    w === 'big'
      ? [...(bucket as typeof results.big).drains, ...(bucket as typeof results.big).emptyDrains].map((r) =>
          r.error ? `big: ${r.error}` : '',
        )
      : Object.entries(bucket as PerSystem<{ error?: string }>).flatMap(([name, rs]) =>
          (rs ?? []).map((r) => (r.error ? `${w} ${name}: ${r.error}` : '')),
        ),
  )
  .filter(Boolean);
if (errors.length > 0) {
  lines.push('');
  lines.push('## Errors');
  lines.push('');
  for (const e of errors) lines.push(`- ${e}`);
}
const markdown = lines.join('\n') + '\n';

await mkdir(opts.out, { recursive: true });
await writeFile(`${opts.out}/queue-${stamp}.json`, JSON.stringify(json, null, 2) + '\n');
await writeFile(`${opts.out}/queue-${stamp}.md`, markdown);
process.stdout.write(markdown);
log(`wrote ${opts.out}/queue-${stamp}.{json,md}`);
await admin.end();
