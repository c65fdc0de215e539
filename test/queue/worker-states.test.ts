import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import { Queue } from '../../src/queue/queue.ts';
import { Worker, type TaskHandlers, type WorkerOptions } from '../../src/queue/worker.ts';
import { resetTables, testDatabases, type TestDb } from '../support/databases.ts';
import { sleep, waitFor } from '../support/wait.ts';

// The Worker's transitions where a step of one state meets an event of another (docs/worker.md):
// a stop while a claim is in flight, outcome writes failing while the worker drains or stops.

const logger = pino({ level: 'silent' });

/** What the pg driver throws when the server ends the session (57P01): the worker's cue to back off. */
const connectionLost = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

async function jobRows(db: Db): Promise<{ status: string; attempts: number }[]> {
  const { rows } = await db.query<{ status: string; attempts: number }>(
    'SELECT status, attempts FROM processing_queue ORDER BY created_at, id',
  );
  return rows;
}

async function attemptOutcomes(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ outcome: string }>('SELECT outcome FROM job_attempts ORDER BY outcome');
  return rows.map((row) => row.outcome);
}

/**
 * Holds the queue's table until `release()`: the worker's statements on it wait (the table lock on
 * the server; PGlite's single connection, held by the transaction, on PGlite).
 */
async function holdQueueTable(db: Db): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = db.transaction(async (tx) => {
    // Blocks every statement on the table until this transaction ends, SKIP LOCKED claims included.
    await tx.query('LOCK TABLE processing_queue IN ACCESS EXCLUSIVE MODE');
    locked();
    await released;
  });
  await isLocked;
  return {
    async release() {
      release();
      await holder;
    },
  };
}

describe.each(testDatabases())('Worker states on $name', (database) => {
  let test: TestDb;
  let db: Db;
  let queue: Queue;
  const workers: Worker[] = [];

  const makeWorker = (tasks: TaskHandlers, options: Partial<WorkerOptions> = {}) => {
    const worker = new Worker({ queue, tasks, logger, concurrency: 4, pollMs: 50, leaseMs: 5_000, ...options });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    test = await database.open();
    db = test.db;
  });
  afterAll(async () => {
    await test?.drop();
  });
  beforeEach(async () => {
    await resetTables(db);
    queue = new Queue(db, { tasks: ['noop'] });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 1_000 })));
  });

  it('stopped while a claim is in flight: the jobs it brings back are released unstarted', async () => {
    await queue.enqueueMany(Array.from({ length: 3 }, () => ({ task: 'noop' })));
    let runs = 0;
    const worker = makeWorker({ noop: async () => void (runs += 1) }, { pollOnly: true, pollMs: 60_000 });
    const table = await holdQueueTable(db);
    await worker.start();
    await sleep(100);
    // The first claim is now waiting for the table.
    const stopped = worker.stop({ graceMs: 5_000 });
    await table.release();
    await stopped;
    expect(runs).toBe(0);
    expect(await jobRows(db)).toEqual(Array.from({ length: 3 }, () => ({ status: 'pending', attempts: 0 })));
    expect(await attemptOutcomes(db)).toEqual(['released', 'released', 'released']);
  });

  it('stopped while LISTEN is on its way: it sets up no timer that would outlive the stop', async () => {
    const worker = makeWorker({ noop: async () => {} }, { reapIntervalMs: 20 });
    const started = worker.start();
    await worker.stop();
    await started;
    await sleep(300);
    // A reap timer left behind would take its turn every 20 ms.
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM queue_maintenance');
    expect(rows[0]!.n).toBe(0);
  });

  it('an outcome write failing while it drains: retried after the backoff, and written before the tick returns', async () => {
    await queue.enqueueMany(Array.from({ length: 200 }, () => ({ task: 'noop' })));
    let failures = 1;
    const worker = makeWorker(
      {
        noop: async () => ({
          commit: async () => {
            if (failures > 0) {
              failures -= 1;
              throw connectionLost();
            }
          },
        }),
      },
      { concurrency: 5 },
    );
    const report = await worker.drain({ budgetMs: 10_000 });
    expect(failures).toBe(0);
    // Whether the outage ended the tick early or not, every job it claimed was written before it returned.
    expect(report.completed).toBe(report.claimed);
    expect(report.remaining).toBe(200 - report.claimed);
    const rows = await jobRows(db);
    expect(rows.filter((row) => row.status === 'processing')).toEqual([]);
    expect(rows.filter((row) => row.status === 'completed')).toHaveLength(report.completed);
  });

  it('an outcome write failing while it stops: written once the database answers, before stop() resolves', async () => {
    let failures = 3;
    let finished = 0;
    const worker = makeWorker(
      {
        noop: async () => ({
          commit: async () => {
            if (failures > 0) {
              failures -= 1;
              throw connectionLost();
            }
          },
        }),
      },
      { observer: { attemptFinished: () => void (finished += 1) } },
    );
    const job = await queue.enqueue({ task: 'noop' });
    await worker.start();
    await waitFor('the attempt finished', async () => finished === 1);
    await worker.stop({ graceMs: 2_000 });
    expect(failures).toBe(0);
    expect(await queue.getJob(job.id)).toMatchObject({ status: 'completed', attempts: 1 });
  });

  it('an outcome write failing until the stop gives up: the job stays leased, to run again after its lease', async () => {
    const alwaysLost = makeWorker(
      {
        noop: async () => ({
          commit: async () => {
            throw connectionLost();
          },
        }),
      },
      { leaseMs: 60_000 },
    );
    const job = await queue.enqueue({ task: 'noop' });
    await alwaysLost.start();
    await waitFor('claimed', async () => (await queue.getJob(job.id))?.status === 'processing');
    const started = Date.now();
    await alwaysLost.stop({ graceMs: 100 });
    // Given up after the grace and one longest backoff (5 s), not held forever.
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(await queue.getJob(job.id)).toMatchObject({ status: 'processing', attempts: 1 });
  }, 20_000);

  /** As if the job's lease had expired and another worker had claimed it. */
  const takeOver = (jobId: string) => db.query('UPDATE processing_queue SET lock_token = gen_random_uuid() WHERE id = $1', [jobId]);
  // Renewals every 100 ms; no reaping during the test, so the job taken over stays as it is.
  const leaseOptions = { leaseMs: 300, reapIntervalMs: 60_000 };

  it('a lease lost while the job runs: the handler is told, and its outcome is dropped', async () => {
    const ends: string[] = [];
    let reason: unknown;
    const worker = makeWorker(
      {
        noop: (_, { signal }) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => reject((reason = signal.reason)));
          }),
      },
      { ...leaseOptions, observer: { attemptFinished: ({ outcome }) => void ends.push(outcome) } },
    );
    const job = await queue.enqueue({ task: 'noop' });
    await worker.start();
    await waitFor('running', async () => (await queue.getJob(job.id))?.status === 'processing');
    await takeOver(job.id);
    await waitFor('the attempt ended', async () => ends.length === 1);
    expect(ends).toEqual(['lost']);
    expect((reason as { code?: string }).code).toBe('LEASE_LOST');
    await worker.stop();
    expect(await queue.getJob(job.id)).toMatchObject({ status: 'processing', attempts: 1 });
    expect(await attemptOutcomes(db)).toEqual([]);
  });

  it('a lease lost while the job waits for a slot: it never starts', async () => {
    const ran: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const worker = makeWorker(
      {
        noop: async (_, { job }) => {
          ran.push(job.id);
          await gate;
        },
      },
      { ...leaseOptions, concurrency: 1, prefetch: 2 },
    );
    const jobs = await queue.enqueueMany(Array.from({ length: 3 }, () => ({ task: 'noop' })));
    await worker.start();
    await waitFor('one running, two waiting', async () => ran.length === 1 && (await queue.stats()).processing === 3);
    const victim = jobs.find((job) => job.id !== ran[0])!;
    await takeOver(victim.id);
    await sleep(400);
    open();
    await waitFor('the other two completed', async () => (await queue.stats()).completed === 2);
    expect(ran).toHaveLength(2);
    expect(ran).not.toContain(victim.id);
    expect(await queue.getJob(victim.id)).toMatchObject({ status: 'processing', attempts: 1 });
  });

  it('a drain tick longer than the lease renews it: a worker reaping meanwhile leaves the job alone', async () => {
    const runs: string[] = [];
    const slowly = async (_: unknown, { job }: { job: { id: string } }) => {
      runs.push(job.id);
      await sleep(1_000);
    };
    const job = await queue.enqueue({ task: 'noop' });
    const tick = makeWorker({ noop: slowly }, { leaseMs: 300 }).drain({ budgetMs: 10_000 });
    await waitFor('running in the tick', async () => runs.length === 1);
    const reaper = makeWorker({ noop: slowly }, { leaseMs: 300, reapIntervalMs: 50 });
    await reaper.start();
    expect(await tick).toMatchObject({ claimed: 1, completed: 1 });
    expect(runs).toEqual([job.id]);
    expect(await attemptOutcomes(db)).toEqual(['completed']);
  });
});
