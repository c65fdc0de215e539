// Soft deletion (issue 14, point 8): a deleted invoice is hidden from the lists and exports but
// keeps its row, its file and its trail until the retention has passed, so that it can be restored
// (the screen's « Annuler »). Every delete, restore and purge is a row of `invoice_audit`.
import type { Sql } from '../db/types.ts';
import { FacteurError } from '../errors.ts';

/** Who the audit trail names for a purge: the retention, not a person. */
export const PURGER = 'facteur';

/** Days a deleted invoice stays restorable when FACTEUR_DELETED_RETENTION_DAYS is not set. */
export const DEFAULT_DELETED_RETENTION_DAYS = 30;

/** A delete or restore refused by the invoice's state (409): ALREADY_DELETED, NOT_DELETED, VERSION_CONFLICT. */
export class DeletionConflictError extends FacteurError {}

// One guarded statement each way: the row moves only from the state the caller believed (not
// deleted, or deleted) and, when it names one, from its version; the UPDATE's row lock serialises
// two people acting at once. The audit row is written by the same statement, so it exists exactly
// when the move does.
const DELETE = `
  WITH moved AS (
    UPDATE invoices SET deleted_at = now(), deleted_by = $3, version = version + 1, updated_at = now()
     WHERE id = $1 AND owner = $2 AND deleted_at IS NULL AND ($4::int IS NULL OR version = $4)
    RETURNING id, owner)
  INSERT INTO invoice_audit (invoice_id, owner, action, actor) SELECT id, owner, 'delete', $3 FROM moved`;

const RESTORE = `
  WITH moved AS (
    UPDATE invoices SET deleted_at = NULL, deleted_by = NULL, version = version + 1, updated_at = now()
     WHERE id = $1 AND owner = $2 AND deleted_at IS NOT NULL AND ($4::int IS NULL OR version = $4)
    RETURNING id, owner)
  INSERT INTO invoice_audit (invoice_id, owner, action, actor) SELECT id, owner, 'restore', $3 FROM moved`;

// What the invoice is now, to say why a move was refused. Reads only.
const CURRENT = 'SELECT deleted_at IS NOT NULL AS deleted, version FROM invoices WHERE id = $1 AND owner = $2';

/**
 * Deletes (softly) or restores the owner's invoice as `by`. Returns false when it is not the
 * owner's; throws ALREADY_DELETED, NOT_DELETED or VERSION_CONFLICT (nothing changed).
 */
export async function setDeleted(
  sql: Sql,
  owner: string,
  invoiceId: string,
  deleted: boolean,
  options: { by: string; version?: number },
): Promise<boolean> {
  const moved = await sql.query(deleted ? DELETE : RESTORE, [invoiceId, owner, options.by, options.version ?? null]);
  if (moved.rowCount === 1) return true;
  const { rows } = await sql.query<{ deleted: boolean; version: number }>(CURRENT, [invoiceId, owner]);
  const current = rows[0];
  if (!current) return false;
  if (current.deleted === deleted) {
    throw deleted
      ? new DeletionConflictError('ALREADY_DELETED', `Invoice ${invoiceId} is already deleted.`)
      : new DeletionConflictError('NOT_DELETED', `Invoice ${invoiceId} is not deleted: there is nothing to restore.`);
  }
  throw new DeletionConflictError(
    'VERSION_CONFLICT',
    `Invoice ${invoiceId} changed since version ${options.version} (it is at version ${current.version}): reload it and decide again.`,
  );
}

// The deleted invoices past the retention, a batch at a time, with their files, jobs and trails
// (ON DELETE CASCADE). SKIP LOCKED leaves a row someone is restoring this instant to the next run;
// a worker still running such an invoice's job finds its completion guard gone and writes nothing.
const PURGE = `
  WITH gone AS (
    DELETE FROM invoices WHERE id IN (
      SELECT id FROM invoices WHERE deleted_at < now() - make_interval(days => $1) ORDER BY deleted_at LIMIT $2 FOR UPDATE SKIP LOCKED)
    RETURNING id, owner)
  INSERT INTO invoice_audit (invoice_id, owner, action, actor) SELECT id, owner, 'purge', $3 FROM gone`;

/** Purges every invoice deleted more than `retentionDays` ago, in batches; returns how many. */
export async function purgeDeleted(sql: Sql, retentionDays: number, batch = 500): Promise<number> {
  let purged = 0;
  for (;;) {
    const { rowCount } = await sql.query(PURGE, [retentionDays, batch, PURGER]);
    purged += rowCount;
    if (rowCount < batch) return purged;
  }
}
