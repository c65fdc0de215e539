import type { Sql } from '../db/types.ts';
import type { Queue } from '../queue/index.ts';

/** The task that extracts an invoice: its jobs are the invoice's status in every view. */
export const PROCESS_INVOICE = 'process_invoice';

// The owner's claim to the invoice; invoices never change owner, so the check holds for the update.
const OWNED = 'SELECT 1 FROM invoices WHERE id = $1 AND owner = $2';

/**
 * Moves the invoice's pending job to `priority` (through the queue, which tells status pages); false,
 * changing nothing, when the invoice is not this owner's or its job is not pending.
 */
export async function setInvoicePriority(sql: Sql, queue: Queue, owner: string, invoiceId: string, priority: number): Promise<boolean> {
  const owned = await sql.query(OWNED, [invoiceId, owner]);
  if (owned.rowCount === 0) return false;
  return queue.setPriority({ task: PROCESS_INVOICE, invoiceId, priority });
}
