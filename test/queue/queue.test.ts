import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import { InvalidInputError } from '../../src/errors.ts';
import { PermanentJobError } from '../../src/queue/errors.ts';
import type { ClaimedJob } from '../../src/queue/job.ts';
import { Queue, STATUS_CHANNEL } from '../../src/queue/queue.ts';
import { Worker, type TaskHandlers } from '../../src/queue/worker.ts';
import { builtinTasks } from '../../src/tasks/builtin.ts';
import { insertInvoice, resetTables, testDatabases, type TestDb } from '../support/databases.ts';
import { sleep, waitFor } from '../support/wait.ts';

const logger = pino({ level: 'silent' });

async function statusOf(db: Db, jobId: string) {
  const { rows } = await db.query<{ status: string; attempts: number; last_error: string | null; error_code: string | null }>(
    'SELECT status, attempts, last_error, error_code FROM processing_queue WHERE id = $1',
    [jobId],
  );
  return rows[0]!;
}

async function countJobs(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM processing_queue');
  return rows[0]!.n;
}

/** Pushes a job's lease into the past, as if its worker had died long ago. */
async function expireLease(db: Db, jobId: string): Promise<void> {
  await db.query(`UPDATE processing_queue SET locked_until = now() - interval '1 second' WHERE id = $1`, [jobId]);
}

describe.each(testDatabases())('queue on $name', (database) => {
  let test: TestDb;
  let db: Db;
  let queue: Queue;

  beforeAll(async () => {
    test = await database.open();
    db = test.db;
  });
  afterAll(async () => {
    await test?.drop();
  });
  beforeEach(async () => {
    await resetTables(db);
    queue = new Queue(db, {
      tasks: ['noop', 'sleep', 'flaky', 'process_invoice', 'export_accounting', 'boom'],
      backoff: { baseMs: 200, maxMs: 5_000 },
    });
  });

  const claimOne = async (workerId = 'w1', leaseMs = 30_000): Promise<ClaimedJob> => {
    const [job] = await queue.claim({ tasks: ['noop', 'process_invoice', 'boom'], limit: 1, workerId, leaseMs });
    expect(job).toBeDefined();
    return job!;
  };

  it('enqueues, claims with a lease, completes, and records the attempt', async () => {
    const job = await queue.enqueue({ task: 'noop', payload: { a: 1 } });
    expect(job).toMatchObject({ status: 'pending', attempts: 0, maxAttempts: 3, priority: 0, created: true, payload: { a: 1 } });

    const claimed = await claimOne();
    expect(claimed).toMatchObject({ id: job.id, status: 'processing', attempts: 1, lockedBy: 'w1' });
    expect(claimed.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(claimed.lockedUntil.getTime()).toBeGreaterThan(Date.now());

    const done = await queue.complete([{ id: claimed.id, lockToken: claimed.lockToken, durationMs: 3 }]);
    expect([...done]).toEqual([job.id]);
    const row = await queue.getJob(job.id);
    expect(row).toMatchObject({ status: 'completed', lockToken: null, lockedUntil: null });
    expect(row!.completedAt).toBeInstanceOf(Date);

    const attempts = await db.query('SELECT attempt, worker, outcome, duration_ms FROM job_attempts WHERE job_id = $1', [job.id]);
    expect(attempts.rows).toEqual([{ attempt: 1, worker: 'w1', outcome: 'completed', duration_ms: 3 }]);
  });

  it('claims by priority, then by run_at; several at a time, never the same job twice', async () => {
    const low = await queue.enqueue({ task: 'noop', priority: -5 });
    const high = await queue.enqueue({ task: 'noop', priority: 10 });
    const first = await queue.enqueue({ task: 'noop' });
    const second = await queue.enqueue({ task: 'noop' });
    await queue.enqueue({ task: 'noop', delayMs: 60_000 });

    const batch = await queue.claim({ tasks: ['noop'], limit: 3, workerId: 'w1', leaseMs: 30_000 });
    expect(batch.map((job) => job.id)).toEqual([high.id, first.id, second.id]);
    const rest = await queue.claim({ tasks: ['noop'], limit: 10, workerId: 'w2', leaseMs: 30_000 });
    expect(rest.map((job) => job.id)).toEqual([low.id]);
  });

  it('keeps one live job per invoice, and enqueues in the caller’s transaction', async () => {
    const invoiceId = await insertInvoice(db);
    const first = await queue.enqueue({ task: 'process_invoice', invoiceId });
    const again = await queue.enqueue({ task: 'process_invoice', invoiceId, priority: 5 });
    expect(again).toMatchObject({ id: first.id, created: false });
    expect(await countJobs(db)).toBe(1);

    const other = await insertInvoice(db);
    await expect(
      db.transaction(async (tx) => {
        await queue.enqueue({ task: 'process_invoice', invoiceId: other }, { tx });
        throw new Error('the upload failed after the enqueue');
      }),
    ).rejects.toThrow('upload failed');
    expect(await countJobs(db)).toBe(1);

    const [a, b] = await db.transaction(async (tx) =>
      queue.enqueueMany(
        [
          { task: 'process_invoice', invoiceId: other },
          { task: 'process_invoice', invoiceId },
        ],
        { tx },
      ),
    );
    expect(a).toMatchObject({ task: 'process_invoice', invoiceId: other, created: true });
    expect(b).toMatchObject({ id: first.id, created: false });

    // Once the job is finished, enqueueing the invoice again processes it again.
    const claimed = await claimOne();
    await queue.complete([{ id: claimed.id, lockToken: claimed.lockToken, durationMs: 1 }]);
    const reprocess = await queue.enqueue({ task: 'process_invoice', invoiceId: claimed.invoiceId! });
    expect(reprocess.created).toBe(true);
  });

  it('keeps one live job per task and invoice: another task for the invoice gets a job of its own', async () => {
    const invoiceId = await insertInvoice(db);
    const [processing, accounting] = await queue.enqueueMany([
      { task: 'process_invoice', invoiceId },
      { task: 'export_accounting', invoiceId },
    ]);
    expect(processing).toMatchObject({ task: 'process_invoice', invoiceId, created: true });
    expect(accounting).toMatchObject({ task: 'export_accounting', invoiceId, created: true });
    expect(accounting!.id).not.toBe(processing!.id);

    // Each task's second enqueue returns that task's live job, alone or in a batch.
    expect(await queue.enqueue({ task: 'export_accounting', invoiceId })).toMatchObject({ id: accounting!.id, created: false });
    const again = await queue.enqueueMany([
      { task: 'process_invoice', invoiceId },
      { task: 'export_accounting', invoiceId },
    ]);
    expect(again.map((job) => [job.id, job.created])).toEqual([
      [processing!.id, false],
      [accounting!.id, false],
    ]);
    expect(await countJobs(db)).toBe(2);

    // One task finishing lets that task run again; the other's live job stays the one returned.
    const [claimed] = await queue.claim({ tasks: ['export_accounting'], limit: 1, workerId: 'w', leaseMs: 30_000 });
    await queue.complete([{ id: claimed!.id, lockToken: claimed!.lockToken, durationMs: 1 }]);
    expect(await queue.enqueue({ task: 'export_accounting', invoiceId })).toMatchObject({ created: true });
    expect(await queue.enqueue({ task: 'process_invoice', invoiceId })).toMatchObject({ id: processing!.id, created: false });

    const twice = await queue
      .enqueueMany([
        { task: 'noop', invoiceId },
        { task: 'noop', invoiceId },
      ])
      .catch((e: unknown) => e);
    expect(twice).toMatchObject({ code: 'DUPLICATE_INVOICE' });
  });

  it('changes the priority of a pending job only, and tells status pages', async () => {
    const payloads: string[] = [];
    const unlisten = await db.listen(STATUS_CHANNEL, (payload) => payloads.push(payload));
    const invoiceId = await insertInvoice(db);
    const job = await queue.enqueue({ task: 'process_invoice', invoiceId });
    await waitFor('enqueue notice', async () => payloads.length === 1);

    expect(await queue.setPriority({ task: 'process_invoice', invoiceId, priority: 50 })).toBe(true);
    expect(await queue.getJob(job.id)).toMatchObject({ status: 'pending', priority: 50 });
    await waitFor('priority notice', async () => payloads.length === 2);
    expect(payloads[1]).toBe(invoiceId);

    // Another task, or a job no longer pending: nothing changes, nothing is sent.
    expect(await queue.setPriority({ task: 'noop', invoiceId, priority: 7 })).toBe(false);
    await claimOne();
    await waitFor('claim notice', async () => payloads.length === 3);
    expect(await queue.setPriority({ task: 'process_invoice', invoiceId, priority: 7 })).toBe(false);
    await sleep(100);
    expect(payloads).toHaveLength(3);
    expect(await queue.getJob(job.id)).toMatchObject({ status: 'processing', priority: 50 });
    await expect(queue.setPriority({ task: 'process_invoice', invoiceId, priority: 1001 })).rejects.toMatchObject({
      code: 'INVALID_PRIORITY',
    });
    await unlisten();
  });

  it('refuses bad input with a stable code and changes nothing', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const cases: [Parameters<Queue['enqueue']>[0], string][] = [
      [{ task: 'no_such_task' }, 'UNKNOWN_TASK'],
      [{ task: 'Bad Name!' }, 'INVALID_TASK'],
      [{ task: 'noop', priority: 1.5 }, 'INVALID_PRIORITY'],
      [{ task: 'noop', priority: 1001 }, 'INVALID_PRIORITY'],
      [{ task: 'noop', priority: '3' as unknown as number }, 'INVALID_PRIORITY'],
      [{ task: 'noop', payload: { n: 10n } }, 'PAYLOAD_NOT_JSON'],
      [{ task: 'noop', payload: circular }, 'PAYLOAD_NOT_JSON'],
      [{ task: 'noop', payload: () => 1 }, 'PAYLOAD_NOT_JSON'],
      [{ task: 'noop', invoiceId: 'not-a-uuid' }, 'INVALID_INVOICE_ID'],
      [{ task: 'noop', maxAttempts: 0 }, 'INVALID_MAX_ATTEMPTS'],
      [{ task: 'noop', delayMs: -1 }, 'INVALID_DELAY'],
    ];
    for (const [job, code] of cases) {
      const error = await queue.enqueueMany([{ task: 'noop' }, job]).catch((e: unknown) => e);
      expect(error, code).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).code).toBe(code);
      expect((error as Error).message.length).toBeGreaterThan(10);
    }
    expect(await countJobs(db)).toBe(0);
  });

  it('a stale worker changes nothing once its lease was taken over', async () => {
    await queue.enqueue({ task: 'noop' });
    const stale = await claimOne('stale');
    await expireLease(db, stale.id);
    expect(await queue.reapExpired()).toEqual({ retried: 1, failed: 0 });
    const fresh = await claimOne('fresh');
    expect(fresh.id).toBe(stale.id);
    expect(fresh.attempts).toBe(2);

    // Every transition the stale worker tries is refused by the token guard.
    expect((await queue.complete([{ id: stale.id, lockToken: stale.lockToken, durationMs: 1 }])).size).toBe(0);
    expect(
      await queue.fail([{ id: stale.id, lockToken: stale.lockToken, durationMs: 1, error: 'late', errorCode: 'X', permanent: true }]),
    ).toEqual([]);
    expect((await queue.release([{ id: stale.id, lockToken: stale.lockToken, durationMs: 1 }])).size).toBe(0);
    expect((await queue.extendLeases([{ id: stale.id, lockToken: stale.lockToken }], 60_000)).size).toBe(0);
    expect(await statusOf(db, stale.id)).toMatchObject({ status: 'processing', attempts: 2 });

    await queue.complete([{ id: fresh.id, lockToken: fresh.lockToken, durationMs: 1 }]);
    expect(
      (await queue.fail([{ id: stale.id, lockToken: stale.lockToken, durationMs: 1, error: 'late', errorCode: 'X', permanent: true }]))
        .length,
    ).toBe(0);
    expect(await statusOf(db, stale.id)).toMatchObject({ status: 'completed' });
    const history = await db.query<{ outcome: string; worker: string }>(
      'SELECT outcome, worker FROM job_attempts WHERE job_id = $1 ORDER BY attempt',
      [stale.id],
    );
    expect(history.rows).toEqual([
      { outcome: 'reaped', worker: 'stale' },
      { outcome: 'completed', worker: 'fresh' },
    ]);
  });

  it('reaps an expired lease on the last attempt as failed', async () => {
    const job = await queue.enqueue({ task: 'noop', maxAttempts: 1 });
    await claimOne();
    await expireLease(db, job.id);
    expect(await queue.reapExpired()).toEqual({ retried: 0, failed: 1 });
    expect(await statusOf(db, job.id)).toMatchObject({ status: 'failed', error_code: 'LEASE_EXPIRED' });
  });

  it('retries with a growing backoff, then fails with the error kept; a permanent error fails at once', async () => {
    const job = await queue.enqueue({ task: 'noop' });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await db.query('UPDATE processing_queue SET run_at = now() WHERE id = $1 AND status = $2', [job.id, 'pending']);
      const claimed = await claimOne();
      expect(claimed.attempts).toBe(attempt);
      const [result] = await queue.fail([
        { id: claimed.id, lockToken: claimed.lockToken, durationMs: 1, error: `boom ${attempt}`, errorCode: 'BOOM', permanent: false },
      ]);
      const { rows } = await db.query<{ delay_ms: number }>(
        'SELECT extract(epoch FROM run_at - updated_at) * 1000 AS delay_ms FROM processing_queue WHERE id = $1',
        [job.id],
      );
      if (attempt < 3) {
        expect(result!.status).toBe('pending');
        delays.push(Number(rows[0]!.delay_ms));
      } else {
        expect(result!.status).toBe('failed');
      }
    }
    // Base 200 ms doubled, ±25 % jitter: 150–250 ms, then 300–500 ms.
    expect(delays[0]).toBeGreaterThanOrEqual(150);
    expect(delays[0]).toBeLessThanOrEqual(250);
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    expect(delays[1]).toBeLessThanOrEqual(500);
    expect(await statusOf(db, job.id)).toEqual({ status: 'failed', attempts: 3, last_error: 'boom 3', error_code: 'BOOM' });

    const permanent = await queue.enqueue({ task: 'noop' });
    const claimed = await claimOne();
    const [result] = await queue.fail([
      { id: claimed.id, lockToken: claimed.lockToken, durationMs: 1, error: 'corrupt file', errorCode: 'CORRUPT', permanent: true },
    ]);
    expect(result!.status).toBe('failed');
    expect(await statusOf(db, permanent.id)).toMatchObject({ status: 'failed', attempts: 1, error_code: 'CORRUPT' });
  });

  it('cancels, retries failed jobs, purges old finished ones, and counts them', async () => {
    const invoiceId = await insertInvoice(db);
    const job = await queue.enqueue({ task: 'process_invoice', invoiceId });
    expect((await queue.cancel(job.id))?.status).toBe('failed');
    expect(await queue.cancel(job.id)).toBeNull();

    const revived = await queue.retryFailed({ invoiceId });
    expect(revived.map((j) => [j.id, j.status, j.attempts])).toEqual([[job.id, 'pending', 0]]);
    expect(await queue.retryFailed({ invoiceId })).toEqual([]);

    const done = await queue.enqueue({ task: 'noop' });
    const claimed = await queue.claim({ tasks: ['noop'], limit: 1, workerId: 'w', leaseMs: 1000 });
    await queue.complete([{ id: claimed[0]!.id, lockToken: claimed[0]!.lockToken, durationMs: 1 }]);
    expect(await queue.stats()).toMatchObject({ pending: 1, processing: 0, completed: 1, failed: 0, completedLastMinute: 1 });

    expect(await queue.purge(60_000)).toBe(0);
    await db.query(`UPDATE processing_queue SET completed_at = now() - interval '8 days' WHERE id = $1`, [done.id]);
    // Attempts whose job was deleted some other way: the old one goes with the purge, the recent one stays.
    await db.query(`
      INSERT INTO job_attempt_rows (job_id, attempt, outcome, finished_at)
      VALUES (gen_random_uuid(), 1, 'completed', now() - interval '8 days'), (gen_random_uuid(), 1, 'completed', now())`);
    expect(await queue.purge(7 * 86_400_000, 1)).toBe(1);
    expect(await queue.getJob(done.id)).toBeNull();
    expect(await countJobs(db)).toBe(1);
    const { rows: attempts } = await db.query<{ job_id: string; recent: boolean }>(
      `SELECT job_id, finished_at > now() - interval '1 day' AS recent FROM job_attempts`,
    );
    expect(attempts).toEqual([expect.objectContaining({ recent: true })]);
    expect(attempts[0]!.job_id).not.toBe(done.id);
  });

  it('notifies status changes of invoice jobs, one notification per statement', async () => {
    const payloads: string[] = [];
    const unlisten = await db.listen(STATUS_CHANNEL, (payload) => payloads.push(payload));
    const [first, second] = [await insertInvoice(db), await insertInvoice(db)];
    await queue.enqueueMany([
      { task: 'process_invoice', invoiceId: first },
      { task: 'process_invoice', invoiceId: second },
      { task: 'noop' },
    ]);
    await waitFor('enqueue notice', async () => payloads.length === 1);
    expect(payloads[0]!.split(',').sort()).toEqual([first, second].sort());

    const claimed = await queue.claim({ tasks: ['process_invoice'], limit: 1, workerId: 'w', leaseMs: 1000 });
    await queue.complete([{ id: claimed[0]!.id, lockToken: claimed[0]!.lockToken, durationMs: 1 }]);
    await waitFor('claim and completion notices', async () => payloads.length === 3);
    expect(payloads.slice(1)).toEqual([claimed[0]!.invoiceId, claimed[0]!.invoiceId]);

    // Jobs without an invoice, and statements that change nothing, send nothing.
    await queue.claim({ tasks: ['noop'], limit: 1, workerId: 'w', leaseMs: 1000 });
    await queue.complete([{ id: claimed[0]!.id, lockToken: claimed[0]!.lockToken, durationMs: 1 }]);
    await sleep(100);
    expect(payloads).toHaveLength(3);

    // In the caller's transaction: sent at its commit, and never for a rollback.
    const third = await insertInvoice(db);
    await db
      .transaction(async (tx) => {
        await queue.enqueue({ task: 'process_invoice', invoiceId: third }, { tx });
        throw new Error('rolled back');
      })
      .catch(() => {});
    await sleep(100);
    expect(payloads).toHaveLength(3);
    await db.transaction((tx) => queue.enqueue({ task: 'process_invoice', invoiceId: third }, { tx }));
    await waitFor('notice at commit', async () => payloads.length === 4);
    expect(payloads[3]).toBe(third);
    await unlisten();
  });

  it('gives the turn of a periodic task to exactly one of the workers asking', async () => {
    const turns = await Promise.all(Array.from({ length: 5 }, () => queue.takeTurn('purge', 60_000)));
    expect(turns.filter(Boolean)).toHaveLength(1);
    expect(await queue.takeTurn('purge', 60_000)).toBe(false);
    expect(await queue.takeTurn('reap', 60_000)).toBe(true);
    await db.query(`UPDATE queue_maintenance SET last_run_at = now() - interval '2 minutes'`);
    expect(await queue.takeTurn('purge', 60_000)).toBe(true);
  });

  it('purges exactly the finished jobs past the retention while three workers run', async () => {
    await db.query(`
      INSERT INTO processing_queue (task, status, created_at, completed_at)
      SELECT 'noop', s.status, now() - s.age, CASE WHEN s.status = 'pending' THEN NULL ELSE now() - s.age END
        FROM (VALUES ('completed', interval '2 days', 30), ('failed', interval '3 days', 20),
                     ('completed', interval '1 hour', 10), ('failed', interval '2 hours', 5),
                     ('pending', interval '9 days', 5)) AS s(status, age, n),
             generate_series(1, s.n)`);
    const workers = Array.from(
      { length: 3 },
      () => new Worker({ queue, tasks: { other: async () => {} }, logger, retentionMs: 86_400_000, purgeIntervalMs: 100, pollMs: 50 }),
    );
    await Promise.all(workers.map((worker) => worker.start()));
    try {
      await waitFor('old finished jobs purged', async () => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM processing_queue WHERE completed_at < now() - interval '1 day'`,
        );
        return rows[0]!.n === 0;
      });
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
    const { rows } = await db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM processing_queue GROUP BY status ORDER BY status',
    );
    expect(rows).toEqual([
      { status: 'completed', n: 10 },
      { status: 'failed', n: 5 },
      { status: 'pending', n: 5 },
    ]);
  });

  it('runs the original design’s monitoring queries unchanged', async () => {
    const a = await queue.enqueue({ task: 'noop', priority: 1 });
    const b = await queue.enqueue({ task: 'noop', priority: 5 });
    await queue.enqueue({ task: 'noop', priority: 9 });
    const [top] = await queue.claim({ tasks: ['noop'], limit: 1, workerId: 'w', leaseMs: 1000 });
    await queue.complete([{ id: top!.id, lockToken: top!.lockToken, durationMs: 1 }]);
    const failing = await queue.enqueue({ task: 'noop', priority: -1 });
    await db.query(`UPDATE processing_queue SET priority = 100 WHERE id = $1`, [failing.id]);
    const [claimed] = await queue.claim({ tasks: ['noop'], limit: 1, workerId: 'w', leaseMs: 1000 });
    await queue.fail([
      { id: claimed!.id, lockToken: claimed!.lockToken, durationMs: 1, error: 'PDF illisible', errorCode: 'CORRUPT', permanent: true },
    ]);

    const pending = await db.query<{ id: string }>(
      `SELECT * FROM processing_queue WHERE status = 'pending' ORDER BY priority DESC, created_at ASC`,
    );
    expect(pending.rows.map((row) => row.id)).toEqual([b.id, a.id]);

    const failed = await db.query<{ id: string; last_error: string; attempts: number }>(
      `SELECT * FROM processing_queue WHERE status = 'failed' ORDER BY updated_at DESC`,
    );
    expect(failed.rows.map((row) => [row.id, row.last_error, row.attempts])).toEqual([[failing.id, 'PDF illisible', 1]]);

    const perStatus = await db.query<{ status: string; count: number; avg_duration: unknown }>(
      `SELECT status, COUNT(*) AS count, AVG(completed_at - started_at) AS avg_duration FROM processing_queue GROUP BY status ORDER BY status`,
    );
    expect(perStatus.rows.map((row) => [row.status, Number(row.count), row.avg_duration !== null])).toEqual([
      ['completed', 1, true],
      ['failed', 1, true],
      ['pending', 2, false],
    ]);
  });

  describe('Worker', () => {
    const workers: Worker[] = [];
    const makeWorker = (tasks: TaskHandlers, options: Partial<ConstructorParameters<typeof Worker>[0]> = {}) => {
      const worker = new Worker({ queue, tasks, logger, concurrency: 4, pollMs: 50, leaseMs: 5_000, ...options });
      workers.push(worker);
      return worker;
    };
    const stopAll = async () => {
      await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 1_000 })));
    };

    it('runs jobs and completes them in batches, with the handler’s result in the same transaction', async () => {
      await db.query('CREATE TABLE IF NOT EXISTS test_results (job_id uuid PRIMARY KEY, value int NOT NULL)');
      await db.query('TRUNCATE test_results');
      const seen: unknown[] = [];
      const worker = makeWorker({
        noop: async (payload, { job }) => {
          seen.push(payload);
          return {
            commit: (tx) =>
              tx.query('INSERT INTO test_results (job_id, value) VALUES ($1, $2)', [job.id, (payload as { n: number }).n]).then(() => {}),
          };
        },
      });
      await queue.enqueueMany(Array.from({ length: 25 }, (_, n) => ({ task: 'noop', payload: { n } })));
      await worker.start();
      await waitFor('all completed', async () => (await queue.stats()).completed === 25);
      await stopAll();
      expect(seen).toHaveLength(25);
      const { rows } = await db.query<{ n: number; total: number }>(
        'SELECT count(*)::int AS n, sum(value)::int AS total FROM test_results',
      );
      expect(rows[0]).toEqual({ n: 25, total: (24 * 25) / 2 });
    });

    it('a result that cannot be written fails only its own job', async () => {
      await db.query('CREATE TABLE IF NOT EXISTS test_results (job_id uuid PRIMARY KEY, value int NOT NULL)');
      await db.query('TRUNCATE test_results');
      const worker = makeWorker(
        {
          noop: async (payload, { job }) => ({
            commit: async (tx) => {
              await tx.query('INSERT INTO test_results (job_id, value) VALUES ($1, $2)', [job.id, (payload as { n: number | null }).n]);
            },
          }),
        },
        { concurrency: 10 },
      );
      const jobs = await queue.enqueueMany([
        { task: 'noop', payload: { n: 1 } },
        { task: 'noop', payload: { n: null }, maxAttempts: 1 },
        { task: 'noop', payload: { n: 3 } },
      ]);
      await worker.start();
      await waitFor('all finished', async () => {
        const stats = await queue.stats();
        return stats.completed + stats.failed === 3;
      });
      await stopAll();
      expect(await statusOf(db, jobs[1]!.id)).toMatchObject({ status: 'failed' });
      expect((await statusOf(db, jobs[1]!.id)).last_error).toMatch(/null/);
      expect(await statusOf(db, jobs[0]!.id)).toMatchObject({ status: 'completed' });
      expect(await statusOf(db, jobs[2]!.id)).toMatchObject({ status: 'completed' });
    });

    it('a handler that always throws gets exactly 3 attempts, then fails with its error; a permanent error fails at once', async () => {
      let calls = 0;
      const worker = makeWorker({
        boom: async () => {
          calls += 1;
          throw Object.assign(new Error(`exploded #${calls}`), { code: 'EXPLODED' });
        },
        noop: async () => {
          throw new PermanentJobError('CORRUPT_FILE', 'The file is not a PDF.');
        },
      });
      const flaky = await queue.enqueue({ task: 'boom' });
      const corrupt = await queue.enqueue({ task: 'noop' });
      await worker.start();
      await waitFor('both failed', async () => (await queue.stats()).failed === 2, 20_000);
      await stopAll();
      expect(calls).toBe(3);
      expect(await statusOf(db, flaky.id)).toEqual({ status: 'failed', attempts: 3, last_error: 'exploded #3', error_code: 'EXPLODED' });
      expect(await statusOf(db, corrupt.id)).toEqual({
        status: 'failed',
        attempts: 1,
        last_error: 'The file is not a PDF.',
        error_code: 'CORRUPT_FILE',
      });
      const history = await db.query<{ outcome: string; started_at: Date; finished_at: Date }>(
        'SELECT outcome, started_at, finished_at FROM job_attempts WHERE job_id = $1 ORDER BY attempt',
        [flaky.id],
      );
      expect(history.rows.map((row) => row.outcome)).toEqual(['retried', 'retried', 'failed']);
      const gaps = history.rows.slice(1).map((row, i) => row.started_at.getTime() - history.rows[i]!.finished_at.getTime());
      expect(gaps[0]).toBeGreaterThanOrEqual(150);
      expect(gaps[1]).toBeGreaterThan(gaps[0]!);
    });

    it('aborts a job at its timeout and fails the attempt with JOB_TIMEOUT', async () => {
      let aborted: unknown = null;
      const worker = makeWorker(
        {
          sleep: async (payload, context) => {
            context.signal.addEventListener('abort', () => (aborted = context.signal.reason));
            return builtinTasks.sleep!(payload, context);
          },
        },
        { jobTimeoutMs: 150 },
      );
      const job = await queue.enqueue({ task: 'sleep', payload: { ms: 60_000 }, maxAttempts: 1 });
      await worker.start();
      await waitFor('timed out', async () => (await statusOf(db, job.id)).status === 'failed');
      await stopAll();
      expect(await statusOf(db, job.id)).toMatchObject({ error_code: 'JOB_TIMEOUT' });
      expect((aborted as { code?: string }).code).toBe('JOB_TIMEOUT');
    });

    it('wakes on NOTIFY without waiting for the poll, and also works polling only', async () => {
      const started: number[] = [];
      const listening = makeWorker({ noop: async () => void started.push(Date.now()) }, { pollMs: 60_000 });
      await listening.start();
      await sleep(100);
      const t0 = Date.now();
      await queue.enqueue({ task: 'noop' });
      await waitFor('picked up', async () => started.length === 1, 5_000);
      expect(started[0]! - t0).toBeLessThan(2_000);
      await stopAll();

      const polling = makeWorker({ noop: async () => void started.push(Date.now()) }, { pollMs: 100, pollOnly: true });
      await polling.start();
      await queue.enqueue({ task: 'noop' });
      await waitFor('picked up by polling', async () => started.length === 2, 5_000);
      await stopAll();
    });

    it('stops gracefully: running jobs finish within the grace period, the rest are released uncounted', async () => {
      const worker = makeWorker({ sleep: builtinTasks.sleep! }, { concurrency: 2 });
      const quick = await queue.enqueue({ task: 'sleep', payload: { ms: 100 } });
      const slow = await queue.enqueue({ task: 'sleep', payload: { ms: 60_000 } });
      await worker.start();
      await waitFor('both running', async () => (await queue.stats()).processing === 2);
      await worker.stop({ graceMs: 400 });
      expect(await statusOf(db, quick.id)).toMatchObject({ status: 'completed', attempts: 1 });
      expect(await statusOf(db, slow.id)).toMatchObject({ status: 'pending', attempts: 0 });
      const history = await db.query<{ outcome: string }>('SELECT outcome FROM job_attempts WHERE job_id = $1', [slow.id]);
      expect(history.rows).toEqual([{ outcome: 'released' }]);
    });

    it('prefetches ahead of free slots: runs them all, and hands back the unstarted ones at stop', async () => {
      await queue.enqueueMany(Array.from({ length: 200 }, () => ({ task: 'noop' })));
      let concurrent = 0;
      let maxConcurrent = 0;
      const fast = makeWorker(
        {
          noop: async () => {
            maxConcurrent = Math.max(maxConcurrent, ++concurrent);
            await sleep(1);
            concurrent -= 1;
          },
        },
        { concurrency: 3, prefetch: 20 },
      );
      expect(await fast.drain({ budgetMs: 20_000 })).toMatchObject({ claimed: 200, completed: 200, remaining: 0 });
      expect(maxConcurrent).toBe(3);

      const slow = await queue.enqueueMany(Array.from({ length: 10 }, () => ({ task: 'sleep', payload: { ms: 60_000 } })));
      const worker = makeWorker({ sleep: builtinTasks.sleep! }, { concurrency: 2, prefetch: 8 });
      await worker.start();
      await waitFor('all ten claimed', async () => (await queue.stats()).processing === 10);
      await worker.stop({ graceMs: 100 });
      const rows = await Promise.all(slow.map((job) => statusOf(db, job.id)));
      expect(rows.every((row) => row.status === 'pending' && row.attempts === 0)).toBe(true);
    });

    it('claims again as soon as slow outcome writes free capacity, without waiting for the poll', async () => {
      const jobs = await queue.enqueueMany(Array.from({ length: 12 }, () => ({ task: 'noop' })));
      // Each result takes a while to commit, so finished jobs pile up unwritten and hold back claims.
      const worker = makeWorker(
        { noop: async () => ({ commit: () => sleep(100) }) },
        { concurrency: 1, prefetch: 2, pollMs: 60_000, pollOnly: true },
      );
      await worker.start();
      await waitFor('all completed long before the first poll', async () => (await queue.stats()).completed === jobs.length, 15_000);
      await stopAll();
    });

    it('drains within a budget: finishes what it can, releases what it cannot, and reports', async () => {
      await queue.enqueueMany(Array.from({ length: 30 }, () => ({ task: 'noop' })));
      const noopWorker = makeWorker({ noop: builtinTasks.noop! }, { concurrency: 5 });
      const report = await noopWorker.drain({ budgetMs: 10_000 });
      expect(report).toMatchObject({ claimed: 30, completed: 30, failed: 0, retried: 0, remaining: 0 });
      expect(report.durationMs).toBeLessThan(10_000);

      const long = await queue.enqueue({ task: 'sleep', payload: { ms: 60_000 } });
      const sleepWorker = makeWorker({ sleep: builtinTasks.sleep! });
      const started = Date.now();
      const cut = await sleepWorker.drain({ budgetMs: 300 });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(cut).toMatchObject({ claimed: 1, completed: 0, remaining: 1 });
      expect(await statusOf(db, long.id)).toMatchObject({ status: 'pending', attempts: 0 });
    });

    it('takes over a job whose worker stopped renewing its lease', async () => {
      let runs = 0;
      // A long lease: the stuck worker does not renew it during the test, as if its process froze.
      const stuck = makeWorker({ noop: () => new Promise(() => void (runs += 1)) }, { leaseMs: 60_000, concurrency: 1 });
      const job = await queue.enqueue({ task: 'noop' });
      await stuck.start();
      await waitFor('claimed', async () => runs === 1);
      await db.query(`UPDATE processing_queue SET locked_until = now() - interval '1 ms' WHERE id = $1`, [job.id]);
      const rescuer = makeWorker({ noop: async () => {} }, { leaseMs: 300, reapIntervalMs: 100 });
      await rescuer.start();
      await waitFor('completed by the rescuer', async () => (await statusOf(db, job.id)).status === 'completed');
      expect(await statusOf(db, job.id)).toMatchObject({ attempts: 2 });
      await stopAll();
    });
  });
});
