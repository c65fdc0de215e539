// An invoice's status as the status endpoint and the CLI read it: its place among its owner's jobs
// follows the claim order exactly, and stops being counted at POSITION_COUNTED_UP_TO.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/index.ts';
import { invoiceStatus } from '../../src/invoices/reads.ts';
import { PROCESS_INVOICE } from '../../src/invoices/jobs.ts';
import { POSITION_COUNTED_UP_TO } from '../../src/queue/views.ts';
import { Queue } from '../../src/queue/queue.ts';
import { insertInvoice, resetTables, testDatabases, type TestDb } from '../support/databases.ts';

describe.each(testDatabases())('invoice status on $name', (database) => {
  let test: TestDb;
  let db: Db;
  let queue: Queue;

  beforeAll(async () => {
    test = await database.open();
    db = test.db;
    queue = new Queue(db);
  });
  afterAll(async () => {
    await test?.drop();
  });
  beforeEach(async () => {
    await resetTables(db);
  });

  /** An invoice of `owner` with a pending job; `delayMs` puts its run_at in the future. */
  const pendingInvoice = async (options: { priority?: number; delayMs?: number } = {}) => {
    const invoiceId = await insertInvoice(db);
    await queue.enqueue({ task: PROCESS_INVOICE, invoiceId, ...options });
    return invoiceId;
  };
  const positionOf = async (invoiceId: string) => (await invoiceStatus(db, 'local', invoiceId))!.position;

  it('counts the pending jobs the claim order puts first: higher priorities, then earlier jobs of the same one', async () => {
    const first = await pendingInvoice();
    const second = await pendingInvoice();
    const urgent = await pendingInvoice({ priority: 5 });
    const low = await pendingInvoice({ priority: -5 });
    // Due in an hour: counted among the jobs that will be due by then.
    const urgentLater = await pendingInvoice({ priority: 5, delayMs: 3_600_000 });
    const later = await pendingInvoice({ delayMs: 3_600_000 });

    expect(await positionOf(urgent)).toBe(0);
    expect(await positionOf(first)).toBe(1);
    expect(await positionOf(second)).toBe(2);
    expect(await positionOf(later)).toBe(4); // urgent and urgentLater (due before it), first, second
    expect(await positionOf(low)).toBe(3); // urgent, first, second: the delayed ones are not due before it
    expect(await positionOf(urgentLater)).toBe(1); // urgent

    const [claimed] = await queue.claim({ tasks: ['process_invoice'], limit: 1, workerId: 'w', leaseMs: 30_000 });
    expect(claimed!.invoiceId).toBe(urgent);
    expect(await invoiceStatus(db, 'local', urgent)).toMatchObject({ status: 'processing', position: null });
    expect(await positionOf(second)).toBe(1);
  });

  it(`stops counting at ${POSITION_COUNTED_UP_TO} jobs ahead`, async () => {
    // The owner's own jobs: a position counts only those (claims take turns between owners).
    await queue.enqueueMany(Array.from({ length: POSITION_COUNTED_UP_TO + 5 }, () => ({ task: 'process_invoice', owner: 'local' })));
    await queue.enqueueMany(Array.from({ length: 10 }, () => ({ task: 'process_invoice', owner: 'someone-else' })));
    const last = await pendingInvoice();
    expect(await positionOf(last)).toBe(POSITION_COUNTED_UP_TO);
  });

  it("counts only the owner's own jobs: another owner's, and jobs of no invoice, are never ahead", async () => {
    const elsewhere = await insertInvoice(db, 'someone-else');
    await queue.enqueue({ task: PROCESS_INVOICE, invoiceId: elsewhere, priority: 100 });
    await queue.enqueueMany(Array.from({ length: 3 }, () => ({ task: 'process_invoice' })));
    const first = await pendingInvoice();
    const second = await pendingInvoice();
    expect([await positionOf(first), await positionOf(second)]).toEqual([0, 1]);
    expect((await invoiceStatus(db, 'someone-else', elsewhere))!.position).toBe(0);
  });

  it("is null for another owner's invoice", async () => {
    const invoiceId = await pendingInvoice();
    expect(await invoiceStatus(db, 'someone-else', invoiceId)).toBeNull();
  });
});
