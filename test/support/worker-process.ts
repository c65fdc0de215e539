/**
 * A worker in its own OS process, for the multi-process, crash and restart suites. Its `record`
 * task writes one row per execution (start and end on the database clock) so that the tests can
 * count executions and check that no job ever ran twice at the same time.
 *
 * Environment: DATABASE_URL, CONCURRENCY, LEASE_MS, POLL_MS, and KILL_AT to make the process
 * SIGKILL itself at one step of its first job: `start` (just claimed, handler begun), `handler`
 * (midway), `commit` (inside the transaction that records the completion).
 */
import pino from 'pino';
import { connect } from '../../src/db/index.ts';
import { Queue } from '../../src/queue/queue.ts';
import { Worker } from '../../src/queue/worker.ts';

const url = process.env.DATABASE_URL!;
const KILL_AT = process.env.KILL_AT;
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' }, pino.destination(2));
const db = await connect({ url, maxConnections: 4, applicationName: 'facteur-test-worker', onError: () => {} });
const queue = new Queue(db, { backoff: { baseMs: 50, maxMs: 1_000 } });

const worker = new Worker({
  queue,
  logger,
  concurrency: Number(process.env.CONCURRENCY ?? 10),
  leaseMs: Number(process.env.LEASE_MS ?? 30_000),
  pollMs: Number(process.env.POLL_MS ?? 200),
  tasks: {
    async record(payload, { job, signal }) {
      if (KILL_AT === 'start') die();
      const { rows } = await db.query<{ id: number }>(
        'INSERT INTO test_executions (job_id, pid, started_at) VALUES ($1, $2, clock_timestamp()) RETURNING id',
        [job.id, process.pid],
      );
      const ms = (payload as { ms?: number } | null)?.ms ?? 0;
      if (ms > 0) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
        });
      }
      if (KILL_AT === 'handler') die();
      await db.query('UPDATE test_executions SET finished_at = clock_timestamp() WHERE id = $1', [rows[0]!.id]);
      if (KILL_AT === 'commit') return { commit: async () => die() };
    },
  },
});

await worker.start();
process.stdout.write('ready\n');

const stop = () => {
  void worker.stop({ graceMs: 5_000 }).then(async () => {
    await db.close();
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
