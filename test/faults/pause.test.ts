import { describe, expect, it } from 'vitest';
import { useWorkerProcesses } from '../support/processes.ts';
import { sleep, waitFor } from '../support/wait.ts';

// A worker frozen past its lease (SIGSTOP: a stalled VM, a stop-the-world pause) and thawed after
// its jobs were taken over: whatever it does on waking must change nothing.
describe('a paused worker', () => {
  const suite = useWorkerProcesses();

  it('wakes after its jobs were taken over, and its late outcomes change nothing', async () => {
    const { db, queue } = suite;
    const jobs = await queue.enqueueMany(Array.from({ length: 5 }, () => ({ task: 'record', payload: { ms: 1_000 } })));
    const frozen = await suite.start({ CONCURRENCY: 5, LEASE_MS: 1_500 });
    await waitFor('all five started', async () => {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM test_executions');
      return rows[0]!.n === 5;
    });
    frozen.child.kill('SIGSTOP');

    await suite.start({ CONCURRENCY: 5, LEASE_MS: 1_500 });
    await waitFor('taken over and completed', async () => (await queue.stats()).completed === 5, 30_000);
    frozen.child.kill('SIGCONT');
    await sleep(3_000); // its handlers finish and it tries to record them, or its renewal finds the leases gone

    const { rows } = await db.query<{ id: string; status: string; attempts: number; outcomes: string[]; workers: string[] }>(
      `SELECT q.id, q.status, q.attempts, array_agg(a.outcome ORDER BY a.id) AS outcomes, array_agg(a.worker ORDER BY a.id) AS workers
         FROM processing_queue q JOIN job_attempts a ON a.job_id = q.id GROUP BY q.id`,
    );
    expect(rows).toHaveLength(jobs.length);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'completed', attempts: 2, outcomes: ['reaped', 'completed'] });
      expect(row.workers[1]).not.toBe(row.workers[0]);
    }
    expect(frozen.child.exitCode).toBeNull();
  }, 60_000);
});
