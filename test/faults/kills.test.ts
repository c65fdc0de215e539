import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import type { Queue } from '../../src/queue/queue.ts';
import { checkExecutions, useWorkerProcesses } from '../support/processes.ts';
import { sleep, waitFor } from '../support/wait.ts';

const LEASE_MS = 1_500;

// Workers killed with SIGKILL, at random and at each step of a job, checked in the spirit of
// Jepsen's queue checker: every accepted job ends exactly once in `completed`, nothing appears that
// was not enqueued, and every repeated execution is explained by a lease that expired.
describe('workers killed with SIGKILL', () => {
  const suite = useWorkerProcesses();
  let db: Db;
  let queue: Queue;
  beforeAll(() => {
    ({ db, queue } = suite);
  });

  const start = (env: { KILL_AT?: 'start' | 'handler' | 'commit' } = {}) => suite.start({ CONCURRENCY: 10, LEASE_MS, ...env });
  const dbNow = async () => (await db.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now;

  /** Jobs run more than once, each of which has a reaped attempt to explain it. */
  async function unexplainedReruns(): Promise<number> {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT job_id FROM test_executions GROUP BY job_id HAVING count(*) > 1
       ) rerun
       WHERE NOT EXISTS (SELECT 1 FROM job_attempts a WHERE a.job_id = rerun.job_id AND a.outcome = 'reaped')`,
    );
    return rows[0]!.n;
  }

  it('4 workers, 20,000 jobs, a random worker killed and restarted every 2 s: nothing lost, nothing invented', async () => {
    const enqueued = new Set<string>();
    for (let i = 0; i < 4; i++) {
      for (const job of await queue.enqueueMany(Array.from({ length: 5_000 }, () => ({ task: 'record', payload: { ms: 2 } }))))
        enqueued.add(job.id);
    }
    const workers = await Promise.all([0, 1, 2, 3].map(() => start()));
    const deaths = new Map<number, Date>();
    let kills = 0;
    for (;;) {
      const stats = await queue.stats();
      if (stats.pending === 0 && stats.processing === 0) break;
      await sleep(2_000);
      const victim = Math.floor(Math.random() * workers.length);
      const { child, exited } = workers[victim]!;
      child.kill('SIGKILL');
      await exited;
      deaths.set(child.pid!, await dbNow());
      kills += 1;
      workers[victim] = await start();
    }
    expect(kills).toBeGreaterThan(2);

    const report = await checkExecutions(db, deaths);
    expect(report).toMatchObject({ jobs: 20_000, notCompleted: 0, overlapping: 0 });
    const { rows: strangers } = await db.query<{ job_id: string }>('SELECT DISTINCT job_id FROM test_executions');
    expect(strangers.filter((row) => !enqueued.has(row.job_id))).toEqual([]);
    const { rows: neverRan } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM processing_queue q WHERE NOT EXISTS (SELECT 1 FROM test_executions e WHERE e.job_id = q.id)',
    );
    expect(neverRan[0]!.n).toBe(0);
    const { rows: completions } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM job_attempts WHERE outcome = 'completed'`);
    expect(completions[0]!.n).toBe(20_000);
    expect(await unexplainedReruns()).toBe(0);
    console.info(`random kills: ${kills} kills, ${report.executions - 20_000} repeated executions, 0 lost, 0 completed twice`);
  }, 300_000);

  it.each(['start', 'handler', 'commit'] as const)(
    'a worker killed at "%s" of a job: the job is reaped and completed once, elsewhere',
    async (step) => {
      const doomed = await start({ KILL_AT: step });
      const job = await queue.enqueue({ task: 'record' });
      expect(await doomed.exited).toBe('SIGKILL');
      await start();
      await waitFor('completed elsewhere', async () => (await queue.getJob(job.id))?.status === 'completed', 20_000);
      const { rows } = await db.query<{ outcome: string }>('SELECT outcome FROM job_attempts WHERE job_id = $1 ORDER BY id', [job.id]);
      expect(rows.map((row) => row.outcome)).toEqual(['reaped', 'completed']);
      expect(await unexplainedReruns()).toBe(0);
    },
  );

  it('a worker killed right after a commit: the job stays completed and never runs again', async () => {
    const worker = await start();
    const job = await queue.enqueue({ task: 'record' });
    await waitFor('completed', async () => (await queue.getJob(job.id))?.status === 'completed');
    worker.child.kill('SIGKILL');
    await worker.exited;
    await start();
    await sleep(LEASE_MS * 2);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM test_executions WHERE job_id = $1', [job.id]);
    expect(rows[0]!.n).toBe(1);
    expect(await queue.getJob(job.id)).toMatchObject({ status: 'completed', attempts: 1 });
  });
});
