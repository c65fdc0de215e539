/**
 * Drain rate: enqueue N no-op jobs, then time one in-process Worker running them all.
 *
 *   node bench/queue-drain.ts [--jobs 10000] [--concurrency 10] [--prefetch 0] [--db pglite|postgres|both]
 *
 * PostgreSQL comes from BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the machine's server;
 * the run uses a schema of its own and drops it afterwards.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { connect, migrate, type Db } from '../src/db/index.ts';
import { Queue } from '../src/queue/queue.ts';
import { Worker } from '../src/queue/worker.ts';
import { builtinTasks } from '../src/tasks/builtin.ts';
import { createSchema } from '../test/support/databases.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '10' },
    prefetch: { type: 'string', default: '0' },
    db: { type: 'string', default: 'both' },
  },
});
const jobs = Number(values.jobs);
const concurrency = Number(values.concurrency);
const prefetch = Number(values.prefetch);
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function drainRate(db: Db): Promise<{ enqueueMs: number; drainMs: number }> {
  await migrate(db);
  const queue = new Queue(db);
  let started = performance.now();
  for (let i = 0; i < jobs; i += 1000) {
    await queue.enqueueMany(Array.from({ length: Math.min(1000, jobs - i) }, () => ({ task: 'noop' })));
  }
  const enqueueMs = performance.now() - started;
  const worker = new Worker({ queue, tasks: { noop: builtinTasks.noop! }, logger: pino({ level: 'silent' }), concurrency, prefetch });
  started = performance.now();
  const report = await worker.drain({ budgetMs: 600_000 });
  const drainMs = performance.now() - started;
  if (report.completed !== jobs) throw new Error(`expected ${jobs} completed, got ${report.completed}`);
  return { enqueueMs, drainMs };
}

function line(name: string, { enqueueMs, drainMs }: { enqueueMs: number; drainMs: number }): string {
  const rate = (ms: number) => Math.round(jobs / (ms / 1000)).toLocaleString('en');
  return `${name.padEnd(10)} enqueue ${rate(enqueueMs).padStart(7)} jobs/s   drain ${rate(drainMs).padStart(7)} jobs/s   (${jobs} no-op jobs, concurrency ${concurrency}, prefetch ${prefetch}, ${Math.round(drainMs)} ms)`;
}

if (values.db === 'pglite' || values.db === 'both') {
  const db = await connect();
  console.log(line('pglite', await drainRate(db)));
  await db.close();
}
if (values.db === 'postgres' || values.db === 'both') {
  const schema = await createSchema(serverUrl);
  const db = await connect({ url: schema.url });
  try {
    console.log(line('postgres', await drainRate(db)));
  } finally {
    await db.close();
    await schema.drop();
  }
}
