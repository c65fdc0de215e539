/**
 * What one session left "idle in transaction" does to the queue, and the mitigation.
 *
 *   node bench/idle-in-transaction.ts [--seconds 60] [--rate 1500]
 *
 * For `--seconds`, jobs are enqueued at `--rate` per second while one worker (concurrency 10,
 * prefetch 50) drains them, three times: with no other session; with a session that opened a
 * transaction, took a snapshot and went idle (it pins the xmin horizon: no dead row can be
 * vacuumed); and with the same session under idle_in_transaction_session_timeout = 5 s, which the
 * server enforces by ending it. Reported: jobs drained per second in the last 10 s, the claim's
 * mean latency in the first and last 10 s, and processing_queue's dead rows and size at the end.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { connect, migrate } from '../src/db/index.ts';
import { Queue } from '../src/queue/queue.ts';
import { Worker } from '../src/queue/worker.ts';
import { createSchema } from '../test/support/databases.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, rate: { type: 'string', default: '1500' } } });
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function run(idle: 'none' | 'held' | 'timeout'): Promise<string> {
  const schema = await createSchema(serverUrl);
  const db = await connect({ url: schema.url });
  let holder: pg.Client | null = null;
  try {
    await migrate(db);
    const queue = new Queue(db);
    const claims: { at: number; ms: number }[] = [];
    const claim = queue.claim.bind(queue);
    queue.claim = async (options) => {
      const started = performance.now();
      const jobs = await claim(options);
      claims.push({ at: Date.now(), ms: performance.now() - started });
      return jobs;
    };
    if (idle !== 'none') {
      holder = new pg.Client({ connectionString: schema.url });
      holder.on('error', () => {});
      await holder.connect();
      if (idle === 'timeout') await holder.query(`SET idle_in_transaction_session_timeout = '5s'`);
      await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await holder.query('SELECT count(*) FROM processing_queue');
    }
    const worker = new Worker({ queue, tasks: { noop: async () => {} }, concurrency: 10, prefetch: 50, pollMs: 50 });
    await worker.start();
    const started = Date.now();
    const done: { at: number; completed: number }[] = [];
    while (Date.now() - started < seconds * 1000) {
      await queue.enqueueMany(Array.from({ length: Math.round(rate / 10) }, () => ({ task: 'noop' })));
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM processing_queue WHERE status = 'completed'`);
      done.push({ at: Date.now(), completed: rows[0]!.n });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await worker.stop({ graceMs: 1_000 });
    const tail = done.filter((d) => d.at > Date.now() - 10_000);
    const drained = (tail.at(-1)!.completed - tail[0]!.completed) / ((tail.at(-1)!.at - tail[0]!.at) / 1000);
    const mean = (list: { ms: number }[]) => (list.reduce((sum, c) => sum + c.ms, 0) / Math.max(1, list.length)).toFixed(1);
    const firstClaims = claims.filter((c) => c.at < started + 10_000);
    const lastClaims = claims.filter((c) => c.at > Date.now() - 11_000);
    const { rows } = await db.query<{ dead: number; bytes: number }>(
      `SELECT n_dead_tup::int AS dead, pg_total_relation_size('processing_queue')::float8 AS bytes FROM pg_stat_user_tables WHERE relid = 'processing_queue'::regclass`,
    );
    return (
      `${idle.padEnd(7)} drained ${Math.round(drained)} jobs/s over the last 10 s; claim ${mean(firstClaims)} ms → ${mean(lastClaims)} ms; ` +
      `${rows[0]!.dead} dead rows, ${(rows[0]!.bytes / 1024 / 1024).toFixed(1)} MiB`
    );
  } finally {
    await holder?.end().catch(() => {});
    await db.close();
    await schema.drop();
  }
}

console.log(`${seconds} s at ${rate} jobs/s enqueued, one worker (concurrency 10, prefetch 50):`);
for (const idle of ['none', 'held', 'timeout'] as const) console.log(await run(idle));
