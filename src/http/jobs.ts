import type { Sql } from '../db/types.ts';

// Changes the priority of an invoice's pending job, from the review screen. Only a pending job:
// a processing one is already claimed (its priority no longer matters), a finished one is
// re-queued with its priority through /api/queue/add. The row lock this UPDATE takes is the one a
// claim would skip (FOR UPDATE SKIP LOCKED): a job claimed in between is simply not updated.
const SET_PRIORITY = `
  UPDATE processing_queue q
     SET priority = $3, updated_at = now()
    FROM invoices i
   WHERE q.invoice_id = i.id AND i.id = $1 AND i.owner = $2 AND q.status = 'pending'
  RETURNING q.id`;

/** True when the invoice had a pending job, now at `priority`. */
export async function setPendingPriority(sql: Sql, owner: string, invoiceId: string, priority: number): Promise<boolean> {
  const { rowCount } = await sql.query(SET_PRIORITY, [invoiceId, owner, priority]);
  return rowCount > 0;
}
