import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import type { Queue } from '../../src/queue/queue.ts';
import { checkExecutions, useWorkerProcesses } from '../support/processes.ts';
import { waitFor } from '../support/wait.ts';

// Several OS processes against one PostgreSQL server: PGlite cannot take part (one process only).
describe('worker processes on the PostgreSQL server', () => {
  const suite = useWorkerProcesses();
  const start = suite.start;
  let db: Db;
  let queue: Queue;
  beforeAll(() => {
    ({ db, queue } = suite);
  });

  const allFinished = async () => {
    const stats = await queue.stats();
    return stats.pending === 0 && stats.processing === 0;
  };

  async function dbNow(): Promise<Date> {
    const { rows } = await db.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    return rows[0]!.now;
  }

  it('4 processes × concurrency 10 run 20,000 jobs exactly once each', async () => {
    for (let i = 0; i < 4; i++) {
      const jobs = Array.from({ length: 5_000 }, () => ({ task: 'record' }));
      await queue.enqueueMany(jobs);
    }
    const workers = await Promise.all([0, 1, 2, 3].map(() => start({ CONCURRENCY: 10 })));
    await waitFor('20,000 jobs finished', allFinished, 240_000, 200);
    for (const { child } of workers) child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0, 0]);

    const report = await checkExecutions(db);
    expect(report).toEqual({ jobs: 20_000, executions: 20_000, rerun: 0, notCompleted: 0, overlapping: 0 });
    const perWorker = await db.query<{ pid: number; n: number }>('SELECT pid, count(*)::int AS n FROM test_executions GROUP BY pid');
    expect(perWorker.rows).toHaveLength(4);
  }, 300_000);

  it('a worker killed with SIGKILL: its jobs come back after the lease and complete, never twice at once', async () => {
    await queue.enqueueMany(Array.from({ length: 40 }, () => ({ task: 'record', payload: { ms: 400 } })));
    const victim = await start({ CONCURRENCY: 10, LEASE_MS: 1_500 });
    // Claimed is not enough: the kill must cut executions short, so wait until handlers have begun.
    const running = () =>
      db.query<{ n: number }>('SELECT count(*)::int AS n FROM test_executions WHERE pid = $1 AND finished_at IS NULL', [victim.child.pid]);
    await waitFor('the victim runs jobs', async () => (await running()).rows[0]!.n >= 3);
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    const deaths = new Map([[victim.child.pid!, await dbNow()]]);
    const held = await db.query<{ id: string }>(`SELECT id FROM processing_queue WHERE status = 'processing'`);
    expect(held.rows.length).toBeGreaterThan(0);

    await start({ CONCURRENCY: 10, LEASE_MS: 1_500 });
    await waitFor('all jobs finished', allFinished, 60_000);

    const report = await checkExecutions(db, deaths);
    expect(report.notCompleted).toBe(0);
    expect(report.overlapping).toBe(0);
    // Every execution the kill cut short ran again, later, elsewhere.
    const cut = await running();
    expect(cut.rows[0]!.n).toBeGreaterThan(0);
    expect(report.rerun).toBe(cut.rows[0]!.n);
    // The killed attempt counts: each job it held was reaped, then completed on its second attempt.
    const attempts = await db.query<{ attempts: number; outcomes: string[] }>(
      `SELECT q.attempts, array_agg(a.outcome ORDER BY a.attempt) AS outcomes
         FROM processing_queue q JOIN job_attempts a ON a.job_id = q.id
        WHERE q.id = ANY($1::uuid[]) GROUP BY q.id, q.attempts`,
      [held.rows.map((row) => row.id)],
    );
    expect(attempts.rows).toHaveLength(held.rows.length);
    for (const row of attempts.rows) expect(row).toEqual({ attempts: 2, outcomes: ['reaped', 'completed'] });
  }, 90_000);

  it('keeps going when its connections are terminated again and again', async () => {
    await queue.enqueueMany(Array.from({ length: 2_000 }, () => ({ task: 'record', payload: { ms: 5 } })));
    await start({ CONCURRENCY: 10 });
    await start({ CONCURRENCY: 10 });
    let terminated = 0;
    for (let round = 0; round < 5; round++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE application_name = 'facteur-test-worker' AND pid <> pg_backend_pid()`,
      );
      terminated += rows[0]!.n;
    }
    expect(terminated).toBeGreaterThan(0);
    await waitFor('all jobs finished', allFinished, 120_000, 200);
    const report = await checkExecutions(db);
    expect(report).toMatchObject({ jobs: 2_000, notCompleted: 0, overlapping: 0 });
    // A handler whose own statement was cut fails that attempt and runs again: more executions
    // than jobs is expected, a job that never ran is not.
    const neverRan = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM processing_queue q WHERE NOT EXISTS (SELECT 1 FROM test_executions e WHERE e.job_id = q.id)',
    );
    expect(neverRan.rows[0]!.n).toBe(0);
  }, 180_000);
});
