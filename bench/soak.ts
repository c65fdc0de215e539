/**
 * Soak: continuous enqueueing and processing with finished jobs purged, for ten minutes, on the
 * PostgreSQL server (a schema of its own). Shows whether the tables level off and the claim stays
 * as fast at the end as at the start.
 *
 *   node bench/soak.ts [--minutes 10] [--rate 500] [--retention-s 60] [--purge-every-s 15] [--sample-s 10] [--note "machine state"]
 *
 * Jobs (`noop`) are enqueued at `--rate` per second, a batch every 50 ms, and run by two workers
 * in this process (concurrency 10, prefetch 50 each), which take turns at the queue's maintenance:
 * finished jobs older than `--retention-s` are purged every `--purge-every-s` by whichever worker
 * takes the turn, their attempts with them. Every `--sample-s`, it records the on-disk size of
 * processing_queue and job_attempts (pg_total_relation_size: heap, indexes, TOAST), their live and
 * dead rows, the jobs done and purged, the time of each claim statement, and the pickup latency
 * (created_at to started_at, on the database clock) of the jobs started in that interval. The
 * first minute is compared with the last; results go to bench/results/soak-<time>.{json,md}.
 *
 * Facteur leaves dead rows to autovacuum (the migration tunes it for processing_queue). Where the
 * server runs without it (`autovacuum = off`, as this machine's CI configuration has it),
 * `--vacuum auto` (the default) stands in for it: every autovacuum_naptime, each of the two
 * tables whose dead rows (or rows changed since the last ANALYZE) passed its autovacuum threshold
 * — the table's own settings, else the server's — is vacuumed (and analysed) as autovacuum would
 * have. `--vacuum none` shows what happens without it; `--vacuum server` trusts the server's.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { connect, migrate } from '../src/db/index.ts';
import { Queue } from '../src/queue/queue.ts';
import { Worker } from '../src/queue/worker.ts';
import { builtinTasks } from '../src/tasks/builtin.ts';
import { fmt, percentile } from './queue/stats.ts';
import { createSchema } from '../test/support/databases.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '500' },
    'retention-s': { type: 'string', default: '60' },
    'purge-every-s': { type: 'string', default: '15' },
    'sample-s': { type: 'string', default: '10' },
    vacuum: { type: 'string', default: 'auto' },
    note: { type: 'string', default: '' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const retentionMs = Number(values['retention-s']) * 1000;
const purgeIntervalMs = Number(values['purge-every-s']) * 1000;
const sampleMs = Number(values['sample-s']) * 1000;
const BATCH_EVERY_MS = 50;

const schema = await createSchema(
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
);
const db = await connect({ url: schema.url, maxConnections: 10, applicationName: 'facteur-soak' });

interface Sample {
  /** Seconds since the start. */
  at: number;
  enqueued: number;
  completed: number;
  /** Rows gone from processing_queue: purged, since nothing else deletes. */
  purged: number;
  pending: number;
  queueBytes: number;
  queueLive: number;
  queueDead: number;
  attemptsBytes: number;
  attemptsLive: number;
  attemptsDead: number;
  /** Vacuums and analyses so far: the server's autovacuum's, or the stand-in's. */
  vacuums: number;
  claims: number;
  claimMeanMs: number;
  claimP50Ms: number;
  claimP99Ms: number;
  pickupP50Ms: number;
  pickupP99Ms: number;
  /** Jobs completed per second over this interval. */
  throughput: number;
  /** The machine's 1-minute load average: other work on its two cores shows here. */
  loadavg1m: number;
}

// What one interval's figures are read from: the tables' sizes and row counts, and the pickup
// latency of the jobs started in the interval (read-only; a sequential scan of a table the purge
// keeps to about a minute and a half of jobs).
const TABLES = `
  SELECT relname AS name, pg_total_relation_size(relid)::float8 AS bytes, n_live_tup::int AS live, n_dead_tup::int AS dead,
         (autovacuum_count + autoanalyze_count)::int AS autovacuums
    FROM pg_stat_user_tables WHERE relname IN ('processing_queue', 'job_attempts') AND schemaname = current_schema()`;
const QUEUE = `
  SELECT count(*)::int AS rows, count(*) FILTER (WHERE status = 'pending')::int AS pending,
         percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at) * 1000)
           FILTER (WHERE started_at >= $1)::float8 AS pickup_p50,
         percentile_disc(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at) * 1000)
           FILTER (WHERE started_at >= $1)::float8 AS pickup_p99
    FROM processing_queue`;

// Autovacuum's own test (PostgreSQL docs, "The Autovacuum Daemon"), with each table's reloptions
// over the server's settings: vacuum when dead rows > threshold + scale factor × rows, analyse when
// rows changed since the last ANALYZE > its own threshold + scale factor × rows.
const DUE_FOR_VACUUM = `
  WITH settings AS (
    SELECT c.relname,
           c.reltuples::float8 AS rows, t.n_dead_tup::float8 AS dead, t.n_mod_since_analyze::float8 AS changed,
           (SELECT array_agg(option_name || '=' || option_value) FROM pg_options_to_table(c.reloptions)) AS options
      FROM pg_stat_user_tables t JOIN pg_class c ON c.oid = t.relid
     WHERE t.schemaname = current_schema() AND c.relname IN ('processing_queue', 'job_attempts')
  ), limits AS (
    SELECT relname, rows, dead, changed,
           coalesce((SELECT split_part(o, '=', 2)::float8 FROM unnest(options) o WHERE o LIKE 'autovacuum_vacuum_threshold=%'),
                    current_setting('autovacuum_vacuum_threshold')::float8) AS vacuum_threshold,
           coalesce((SELECT split_part(o, '=', 2)::float8 FROM unnest(options) o WHERE o LIKE 'autovacuum_vacuum_scale_factor=%'),
                    current_setting('autovacuum_vacuum_scale_factor')::float8) AS vacuum_scale,
           coalesce((SELECT split_part(o, '=', 2)::float8 FROM unnest(options) o WHERE o LIKE 'autovacuum_analyze_threshold=%'),
                    current_setting('autovacuum_analyze_threshold')::float8) AS analyze_threshold,
           coalesce((SELECT split_part(o, '=', 2)::float8 FROM unnest(options) o WHERE o LIKE 'autovacuum_analyze_scale_factor=%'),
                    current_setting('autovacuum_analyze_scale_factor')::float8) AS analyze_scale
      FROM settings
  )
  SELECT relname AS name, dead > vacuum_threshold + vacuum_scale * greatest(rows, 0) AS vacuum,
         changed > analyze_threshold + analyze_scale * greatest(rows, 0) AS analyze
    FROM limits`;

try {
  await migrate(db);
  const queue = new Queue(db);
  // Each claim statement timed as the worker runs it.
  let claimTimes: number[] = [];
  const claim = queue.claim.bind(queue);
  queue.claim = async (options) => {
    const started = performance.now();
    const jobs = await claim(options);
    claimTimes.push(performance.now() - started);
    return jobs;
  };
  let completed = 0;
  const workers = [1, 2].map(
    () =>
      new Worker({
        queue,
        tasks: { noop: builtinTasks.noop! },
        concurrency: 10,
        prefetch: 50,
        retentionMs,
        purgeIntervalMs,
        observer: { attemptFinished: ({ outcome }) => void (outcome === 'completed' && (completed += 1)) },
      }),
  );
  for (const worker of workers) await worker.start();

  const serverAutovacuum = (await db.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0]!.autovacuum === 'on';
  const vacuum = values.vacuum === 'auto' ? (serverAutovacuum ? 'server' : 'stand-in') : values.vacuum;
  if (vacuum !== 'server' && vacuum !== 'stand-in' && vacuum !== 'none') throw new Error('--vacuum is auto, server or none');
  const naptimeMs = Number(
    (await db.query<{ ms: string }>(`SELECT extract(epoch FROM current_setting('autovacuum_naptime')::interval) * 1000 AS ms`)).rows[0]!.ms,
  );
  console.log(
    `autovacuum is ${serverAutovacuum ? 'on' : 'off'} on this server; ` +
      (vacuum === 'stand-in'
        ? `the soak vacuums the two tables as autovacuum would, every ${naptimeMs / 1000} s`
        : vacuum === 'none'
          ? 'nothing vacuums'
          : 'the server vacuums'),
  );
  let vacuums = 0;

  const started = Date.now();
  const until = started + minutes * 60_000;
  const vacuumer = (async () => {
    if (vacuum !== 'stand-in') return;
    while (Date.now() + naptimeMs < until) {
      await new Promise((resolve) => setTimeout(resolve, naptimeMs));
      const due = await db.query<{ name: string; vacuum: boolean; analyze: boolean }>(DUE_FOR_VACUUM);
      for (const table of due.rows) {
        if (!table.vacuum && !table.analyze) continue;
        // Not VACUUM FULL: like autovacuum, it takes no lock that stops the queue.
        await db.query(
          `${table.vacuum ? 'VACUUM' : ''}${table.vacuum && table.analyze ? ' (ANALYZE)' : table.analyze ? 'ANALYZE' : ''} ${table.name}`,
        );
        vacuums += 1;
      }
    }
  })();
  let enqueued = 0;
  const enqueuer = (async () => {
    while (Date.now() < until) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate) - enqueued;
      if (due > 0) {
        await queue.enqueueMany(Array.from({ length: due }, () => ({ task: 'noop' })));
        enqueued += due;
      }
      await new Promise((resolve) => setTimeout(resolve, BATCH_EVERY_MS));
    }
  })();

  const samples: Sample[] = [];
  let last = { at: started, completed: 0 };
  console.log(
    `soak: ${minutes} min at ${rate} jobs/s, retention ${retentionMs / 1000} s, purge every ${purgeIntervalMs / 1000} s, a sample every ${sampleMs / 1000} s`,
  );
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(sampleMs, until - Date.now())));
    const now = Date.now();
    const since = new Date(last.at);
    const [tables, counts] = await Promise.all([
      db.query<{ name: string; bytes: number; live: number; dead: number; autovacuums: number }>(TABLES),
      db.query<{ rows: number; pending: number; pickup_p50: number | null; pickup_p99: number | null }>(QUEUE, [since]),
    ]);
    const table = (name: string) => tables.rows.find((row) => row.name === name)!;
    const claims = claimTimes.sort((a, b) => a - b);
    claimTimes = [];
    const row = counts.rows[0]!;
    const sample: Sample = {
      at: Math.round((now - started) / 1000),
      enqueued,
      completed,
      purged: enqueued - row.rows,
      pending: row.pending,
      queueBytes: table('processing_queue').bytes,
      queueLive: table('processing_queue').live,
      queueDead: table('processing_queue').dead,
      attemptsBytes: table('job_attempts').bytes,
      attemptsLive: table('job_attempts').live,
      attemptsDead: table('job_attempts').dead,
      vacuums: table('processing_queue').autovacuums + table('job_attempts').autovacuums + vacuums,
      claims: claims.length,
      claimMeanMs: claims.reduce((sum, ms) => sum + ms, 0) / Math.max(1, claims.length),
      claimP50Ms: percentile(claims, 50),
      claimP99Ms: percentile(claims, 99),
      pickupP50Ms: row.pickup_p50 ?? Number.NaN,
      pickupP99Ms: row.pickup_p99 ?? Number.NaN,
      throughput: (completed - last.completed) / ((now - last.at) / 1000),
      loadavg1m: Math.round(loadavg()[0]! * 100) / 100,
    };
    samples.push(sample);
    last = { at: now, completed };
    console.log(
      `${String(sample.at).padStart(4)} s  queue ${mib(sample.queueBytes)} MiB (${sample.queueLive} live, ${sample.queueDead} dead)  ` +
        `attempts ${mib(sample.attemptsBytes)} MiB (${sample.attemptsLive} live, ${sample.attemptsDead} dead)  ` +
        `claim ${fmt(sample.claimMeanMs)} ms mean, p99 ${fmt(sample.claimP99Ms)} ms  pickup p50 ${fmt(sample.pickupP50Ms)} ms  ` +
        `${Math.round(sample.throughput)} jobs/s  pending ${sample.pending}  purged ${sample.purged}  vacuums ${sample.vacuums}  load ${sample.loadavg1m}`,
    );
  }
  await Promise.all([enqueuer, vacuumer]);
  for (const worker of workers) await worker.stop({ graceMs: 5_000 });

  // First minute against last minute: the samples taken in each.
  const first = samples.filter((s) => s.at <= 60);
  const lastMinute = samples.filter((s) => s.at > minutes * 60 - 60);
  const mean = (list: Sample[], key: keyof Sample) => list.reduce((sum, s) => sum + s[key], 0) / Math.max(1, list.length);
  const halfway = samples.filter((s) => s.at <= (minutes * 60) / 2).at(-1)!;
  const end = samples.at(-1)!;
  const summary = {
    jobsEnqueued: end.enqueued,
    jobsCompleted: end.completed,
    jobsPurged: end.purged,
    throughput: { firstMinute: mean(first, 'throughput'), lastMinute: mean(lastMinute, 'throughput') },
    claimMeanMs: { firstMinute: mean(first, 'claimMeanMs'), lastMinute: mean(lastMinute, 'claimMeanMs') },
    claimP99Ms: { firstMinute: Math.max(...first.map((s) => s.claimP99Ms)), lastMinute: Math.max(...lastMinute.map((s) => s.claimP99Ms)) },
    pickupP50Ms: { firstMinute: mean(first, 'pickupP50Ms'), lastMinute: mean(lastMinute, 'pickupP50Ms') },
    queueMiB: {
      endOfFirstMinute: first.at(-1)!.queueBytes / 2 ** 20,
      halfway: halfway.queueBytes / 2 ** 20,
      max: Math.max(...samples.map((s) => s.queueBytes)) / 2 ** 20,
      end: end.queueBytes / 2 ** 20,
    },
    attemptsMiB: {
      endOfFirstMinute: first.at(-1)!.attemptsBytes / 2 ** 20,
      halfway: halfway.attemptsBytes / 2 ** 20,
      max: Math.max(...samples.map((s) => s.attemptsBytes)) / 2 ** 20,
      end: end.attemptsBytes / 2 ** 20,
    },
  };
  const lines = [
    `jobs: ${summary.jobsEnqueued.toLocaleString('en')} enqueued, ${summary.jobsCompleted.toLocaleString('en')} completed, ${summary.jobsPurged.toLocaleString('en')} purged; ${end.vacuums} vacuums or analyses (${vacuum === 'stand-in' ? 'by the stand-in for autovacuum' : vacuum === 'none' ? 'none run' : "the server's autovacuum"})`,
    `throughput: ${fmt(summary.throughput.firstMinute)} jobs/s in the first minute, ${fmt(summary.throughput.lastMinute)} in the last`,
    `claim statement: mean ${fmt(summary.claimMeanMs.firstMinute)} ms in the first minute, ${fmt(summary.claimMeanMs.lastMinute)} ms in the last; worst p99 of a sample ${fmt(summary.claimP99Ms.firstMinute)} ms → ${fmt(summary.claimP99Ms.lastMinute)} ms`,
    `pickup (created → started) p50: ${fmt(summary.pickupP50Ms.firstMinute)} ms in the first minute, ${fmt(summary.pickupP50Ms.lastMinute)} ms in the last`,
    `processing_queue: ${fmt(summary.queueMiB.endOfFirstMinute)} MiB after a minute, ${fmt(summary.queueMiB.halfway)} MiB halfway, ${fmt(summary.queueMiB.end)} MiB at the end (largest ${fmt(summary.queueMiB.max)} MiB)`,
    `job_attempts: ${fmt(summary.attemptsMiB.endOfFirstMinute)} MiB after a minute, ${fmt(summary.attemptsMiB.halfway)} MiB halfway, ${fmt(summary.attemptsMiB.end)} MiB at the end (largest ${fmt(summary.attemptsMiB.max)} MiB)`,
  ];
  for (const line of lines) console.log(line);

  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
  const settings = {
    minutes,
    rate,
    vacuum,
    serverAutovacuum,
    naptimeMs,
    retentionMs,
    purgeIntervalMs,
    sampleMs,
    workers: 2,
    concurrency: 10,
    prefetch: 50,
    commit,
    note: values.note,
    loadavgAtEnd: loadavg(),
  };
  writeFileSync(`bench/results/soak-${stamp}.json`, `${JSON.stringify({ settings, summary, samples }, null, 2)}\n`);
  const table = samples.map(
    (s) =>
      `| ${s.at} | ${mib(s.queueBytes)} | ${s.queueLive} | ${s.queueDead} | ${mib(s.attemptsBytes)} | ${s.attemptsDead} | ${fmt(s.claimMeanMs)} | ${fmt(s.claimP99Ms)} | ${fmt(s.pickupP50Ms)} | ${fmt(s.pickupP99Ms)} | ${Math.round(s.throughput)} | ${s.pending} | ${s.purged} | ${s.vacuums} | ${s.loadavg1m} |`,
  );
  writeFileSync(
    `bench/results/soak-${stamp}.md`,
    `# Soak, ${new Date(started).toISOString()} (${commit})\n\n` +
      `\`node bench/soak.ts --minutes ${minutes} --rate ${rate} --retention-s ${retentionMs / 1000} --purge-every-s ${purgeIntervalMs / 1000} --vacuum ${values.vacuum}\`` +
      `${values.note ? ` — ${values.note}` : ''}; two workers (concurrency 10, prefetch 50), \`noop\` jobs; load average at the end ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}.\n\n` +
      `${lines.map((line) => `- ${line}`).join('\n')}\n\n` +
      '| s | queue MiB | live | dead | attempts MiB | attempts dead | claim mean ms | claim p99 ms | pickup p50 ms | pickup p99 ms | jobs/s | pending | purged | vacuums | load |\n' +
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n' +
      `${table.join('\n')}\n`,
  );
} finally {
  await db.close();
  await schema.drop();
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
