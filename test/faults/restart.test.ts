import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkExecutions, useWorkerProcesses } from '../support/processes.ts';
import { waitFor } from '../support/wait.ts';

// Restarts the machine's PostgreSQL server: this suite runs alone (npm run test:faults), after the
// others, so that no other suite's connections are cut.
function restartServer(): void {
  const [version] = readdirSync('/etc/postgresql');
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version!, 'main', 'restart'], { stdio: 'inherit' });
}

describe('a PostgreSQL restart during a run', () => {
  const suite = useWorkerProcesses();

  it('workers ride it out and every job completes, none twice at once', async () => {
    const { db, queue } = suite;
    await queue.enqueueMany(Array.from({ length: 3_000 }, () => ({ task: 'record', payload: { ms: 2 } })));
    const workers = [await suite.start({ CONCURRENCY: 10 }), await suite.start({ CONCURRENCY: 10 })];
    await waitFor('a third done', async () => (await queue.stats()).completed >= 1_000, 60_000, 50);

    restartServer();

    await waitFor(
      'all jobs finished',
      async () => {
        const stats = await queue.stats();
        return stats.pending === 0 && stats.processing === 0;
      },
      120_000,
      200,
    );
    const report = await checkExecutions(db);
    expect(report).toMatchObject({ jobs: 3_000, notCompleted: 0, overlapping: 0 });
    for (const { child } of workers) expect(child.exitCode).toBeNull();
  }, 200_000);
});
