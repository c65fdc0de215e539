// Fair claiming between owners (issue 19): one owner's backlog delays another owner's job by a
// bounded number of claims, a priority orders only its owner's jobs, and the attempt that completes
// a job is kept in the history without an attempt row of its own.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import { InvalidInputError } from '../../src/errors.ts';
import { invoiceAttempts } from '../../src/queue/history.ts';
import { Queue } from '../../src/queue/queue.ts';
import { insertInvoice, resetTables, testDatabases, type TestDb } from '../support/databases.ts';

describe.each(testDatabases())('fair claiming on $name', (database) => {
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
    // No NOTIFY: channels are per database, and other suites' listeners share the server's.
    queue = new Queue(db, { tasks: ['noop'], notify: false });
  });

  const claim = (limit: number, workerId = 'w1') => queue.claim({ tasks: ['noop'], limit, workerId, leaseMs: 30_000 });

  /** Enqueues `count` jobs of `owner` in bulk; their ids in enqueue order. */
  async function backlog(owner: string, count: number): Promise<string[]> {
    const jobs = await queue.enqueueMany(Array.from({ length: count }, () => ({ task: 'noop', owner })));
    return jobs.map((job) => job.id);
  }

  it('claims another owner’s job within one claim per owner with work, however long the backlogs', async () => {
    await backlog('acme', 400);
    await backlog('globex', 400);
    // Both backlogs have been served once, so the stamps of queue_owners are in play.
    expect(new Set((await claim(10)).map((job) => job.owner))).toEqual(new Set(['acme']));
    expect(new Set((await claim(10)).map((job) => job.owner))).toEqual(new Set(['globex']));
    const [late] = await backlog('initech', 1);
    // Three owners with work: the newcomer is served within three claims (here at the next one, as
    // it was never served), while the big backlogs keep taking turns batch by batch.
    const owners: string[][] = [];
    let claimsUntilLate = 0;
    for (let i = 1; i <= 3 && claimsUntilLate === 0; i += 1) {
      const batch = await claim(10);
      owners.push([...new Set(batch.map((job) => job.owner))]);
      if (batch.some((job) => job.id === late)) claimsUntilLate = i;
    }
    expect(claimsUntilLate).toBeGreaterThan(0);
    expect(claimsUntilLate).toBeLessThanOrEqual(3);
    // The newcomer's single job does not leave the batch short: the next owner in turn fills it.
    expect(owners[claimsUntilLate - 1]).toHaveLength(2);
  });

  it('takes turns batch by batch between two backlogs, each owner’s jobs in their own order', async () => {
    const acme = await backlog('acme', 30);
    const globex = await backlog('globex', 30);
    const claimed: string[] = [];
    const owners: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const batch = await claim(10);
      expect(new Set(batch.map((job) => job.owner)).size).toBe(1);
      owners.push(batch[0]!.owner);
      claimed.push(...batch.map((job) => job.id));
    }
    expect(owners).toEqual(['acme', 'globex', 'acme', 'globex', 'acme', 'globex']);
    // One statement's jobs share run_at: their ids order them.
    expect(claimed.filter((id) => acme.includes(id))).toEqual(acme.sort());
    expect(claimed.filter((id) => globex.includes(id))).toEqual(globex.sort());
  });

  it('orders by priority within an owner only: another owner’s priority does not jump the turns', async () => {
    const [a1] = await queue.enqueueMany([{ task: 'noop', owner: 'acme' }]);
    const [a2] = await queue.enqueueMany([{ task: 'noop', owner: 'acme', priority: 5 }]);
    const [g1] = await queue.enqueueMany([{ task: 'noop', owner: 'globex' }]);
    const [g2] = await queue.enqueueMany([{ task: 'noop', owner: 'globex', priority: 1000 }]);
    const order: string[] = [];
    for (let i = 0; i < 4; i += 1) order.push((await claim(1))[0]!.id);
    // Turns alternate (neither was served before: by name), and within each owner the higher priority goes first.
    expect(order).toEqual([a2!.id, g2!.id, a1!.id, g1!.id]);
  });

  it('two workers claiming at once from one owner take disjoint batches and fill them', async () => {
    await backlog('acme', 100);
    const [first, second] = await Promise.all([claim(30, 'w1'), claim(30, 'w2')]);
    expect(first).toHaveLength(30);
    expect(second).toHaveLength(30);
    expect(new Set([...first!, ...second!].map((job) => job.id)).size).toBe(60);
  });

  it('a job about an invoice belongs to the invoice’s owner; a bad owner is refused, changing nothing', async () => {
    const invoiceId = await insertInvoice(db, 'acme');
    const job = await queue.enqueue({ task: 'noop', invoiceId, owner: 'someone-else' });
    expect(job.owner).toBe('acme');
    expect((await queue.getJob(job.id))!.owner).toBe('acme');
    expect((await queue.enqueue({ task: 'noop' })).owner).toBe('');

    for (const owner of [42, 'x'.repeat(201)]) {
      const refused = await queue.enqueue({ task: 'noop', owner: owner as string }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(InvalidInputError);
      expect((refused as InvalidInputError).code).toBe('INVALID_OWNER');
    }
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM processing_queue');
    expect(rows[0]!.n).toBe(2);
  });

  it('keeps every attempt in the history: the completing one in the job’s row, the others as attempt rows', async () => {
    const invoiceId = await insertInvoice(db, 'acme');
    const job = await queue.enqueue({ task: 'noop', invoiceId });
    const [first] = await claim(1, 'w1');
    await queue.fail([{ id: first!.id, lockToken: first!.lockToken, durationMs: 4, error: 'boom', errorCode: 'X', permanent: false }]);
    await db.query(`UPDATE processing_queue SET run_at = now() WHERE id = $1`, [job.id]);
    const [second] = await claim(1, 'w2');
    await queue.complete([{ id: second!.id, lockToken: second!.lockToken, durationMs: 7 }]);

    const { rows: written } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM job_attempt_rows');
    expect(written[0]!.n).toBe(1);
    const history = await invoiceAttempts(db, invoiceId);
    expect(history).toEqual([
      expect.objectContaining({ attempt: 1, worker: 'w1', outcome: 'retried', error: 'boom', errorCode: 'X', durationMs: 4 }),
      expect.objectContaining({ attempt: 2, worker: 'w2', outcome: 'completed', error: null, errorCode: null, durationMs: 7 }),
    ]);
    expect(history[1]!.startedAt).not.toBeNull();
    expect(Date.parse(history[1]!.finishedAt)).toBeGreaterThanOrEqual(Date.parse(history[1]!.startedAt!));
  });
});
