import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import { Queue } from '../../src/queue/queue.ts';
import { openServerDb, requireServerUrl, type TestDb } from '../support/databases.ts';
import { type WorkerProcess, checkExecutions, createExecutionsTable, startWorkerProcess } from '../support/processes.ts';
import { waitFor } from '../support/wait.ts';

// Restarts the machine's PostgreSQL server: this suite runs alone (npm run test:faults), after the
// others, so that no other suite's connections are cut.
function restartServer(): void {
  const [version] = readdirSync('/etc/postgresql');
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version!, 'main', 'restart'], { stdio: 'inherit' });
}

describe('a PostgreSQL restart during a run', () => {
  let test: TestDb;
  let db: Db;
  const processes: WorkerProcess[] = [];

  beforeAll(async () => {
    test = await openServerDb(requireServerUrl());
    db = test.db;
    await createExecutionsTable(db);
  });
  afterAll(async () => {
    for (const { child } of processes) child.kill('SIGKILL');
    await test?.drop();
  });

  it('workers ride it out and every job completes, none twice at once', async () => {
    const queue = new Queue(db);
    await queue.enqueueMany(Array.from({ length: 3_000 }, () => ({ task: 'record', payload: { ms: 2 } })));
    processes.push(await startWorkerProcess({ DATABASE_URL: test.url!, CONCURRENCY: 10 }));
    processes.push(await startWorkerProcess({ DATABASE_URL: test.url!, CONCURRENCY: 10 }));
    await waitFor('a third done', async () => (await queue.stats()).completed >= 1_000, 60_000, 50);

    restartServer();

    await waitFor('all jobs finished', async () => {
      const stats = await queue.stats();
      return stats.pending === 0 && stats.processing === 0;
    }, 120_000, 200);
    const report = await checkExecutions(db);
    expect(report).toMatchObject({ jobs: 3_000, notCompleted: 0, overlapping: 0 });
    for (const { child } of processes) expect(child.exitCode).toBeNull();
  }, 200_000);
});
