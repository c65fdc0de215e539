// A person's corrections saved (PATCH /api/invoices/{id}/fields): parsed and checked before the
// database is touched, then one transaction that moves the invoice from the version the person saw,
// records each change, and writes the review state the corrected invoice earns.
import type { Db } from '../db/types.ts';
import { FacteurError, InvalidInputError } from '../errors.ts';
import { applyCorrections, correctionsOf, correctionTarget, valueAt, type CorrectionTarget } from './corrections.ts';
import { parseFieldValue } from './field-values.ts';
import { reviewOf } from './review.ts';
import { REVIEW_BELOW, type NormalisedInvoice } from '../einvoice/index.ts';
import type { ReviewState } from './views.ts';

/** Fields one save may change: a whole invoice's header and a few dozen rows, not a bulk import. */
export const MAX_FIELDS_PER_SAVE = 500;

/** The states an invoice can be corrected in: a decision (approved, rejected) is reopened first. */
export const EDITABLE_STATES: readonly ReviewState[] = ['to_review', 'ready'];

/** A save refused by the invoice's state (409): VERSION_CONFLICT, NOT_EDITABLE, NOT_EXTRACTED, INVOICE_DELETED. */
export class CorrectionConflictError extends FacteurError {}

interface FieldChange {
  path: string;
  target: CorrectionTarget;
  to: string | null;
}

/**
 * The body's `fields` as typed values: each key a correction path (`BT-27`, `BG-23[0].BT-116`,
 * `BG-25[1].BT-131`), each value the text typed (a string; "" or null removes the term). Throws
 * INVALID_FIELDS, INVALID_FIELD or the value's own code (field-values.ts); nothing is read or stored.
 */
export function fieldChangesFrom(fields: unknown): FieldChange[] {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields) || Object.keys(fields).length === 0) {
    throw new InvalidInputError('INVALID_FIELDS', 'fields must be an object of the terms to change, e.g. {"BT-27": "Au bon moulin"}.');
  }
  const entries = Object.entries(fields);
  if (entries.length > MAX_FIELDS_PER_SAVE) {
    throw new InvalidInputError('INVALID_FIELDS', `At most ${MAX_FIELDS_PER_SAVE} fields can be changed at once.`);
  }
  return entries.map(([path, value]) => {
    const target = correctionTarget(path);
    if (!target) {
      throw new InvalidInputError(
        'INVALID_FIELD',
        `${path} is not a field that can be corrected: a header term (BT-27), a VAT breakdown row's (BG-23[0].BT-116) or a line's (BG-25[0].BT-131).`,
      );
    }
    if (value !== null && typeof value !== 'string')
      throw new InvalidInputError('INVALID_FIELD', `${path} must be given as text (or null to remove it).`);
    return { path, target, to: value === null ? null : parseFieldValue(target.term, value) };
  });
}

// The invoice as the person's change is checked against. No lock: the UPDATE below re-checks the
// version, so a write in between makes it move nothing.
const CURRENT = `
  SELECT extracted, version, review_state, deleted_at IS NOT NULL AS deleted
    FROM invoices WHERE id = $1 AND owner = $2`;

// The one guarded write (River's style): the row moves only from the version the person saw, still
// editable and not deleted; its row lock orders it against a concurrent decision or re-read, which
// then find a newer version. The trail rows below are in the same transaction.
const SAVE = `
  UPDATE invoices
     SET corrected = $4::jsonb, validation = $5::jsonb, review_state = $6, review_reasons = $7::jsonb,
         version = version + 1, updated_at = now()
   WHERE id = $1 AND owner = $2 AND version = $3 AND deleted_at IS NULL AND review_state = ANY($8::text[])
  RETURNING version`;

// Each change, stamped with the version it produced. Inserts only.
const RECORD = `
  INSERT INTO invoice_corrections (invoice_id, owner, term, from_value, to_value, corrected_by, version)
  SELECT $1, $2, c.term, c.from_value, c.to_value, $3, $4
    FROM jsonb_to_recordset($5::jsonb) AS c(term text, from_value text, to_value text)`;

// The review state the correction moved, when it moved it. Inserts only.
const TRAIL = `
  INSERT INTO invoice_reviews (invoice_id, owner, from_state, to_state, reviewed_by) VALUES ($1, $2, $3, $4, $5)`;

/**
 * Saves `fields` (already parsed by `fieldChangesFrom`) on the owner's invoice as `by`, from
 * `version`. Returns false when the invoice is not the owner's; throws CorrectionConflictError
 * (nothing stored) when it moved since `version`, is approved or rejected, not read yet, or
 * deleted, and INVALID_FIELD for a row the invoice does not have. Values equal to the current ones
 * are not recorded, except for a header term read with low confidence (the person confirms it: it
 * is then sure); with none left, nothing is written.
 */
export async function correctInvoice(
  db: Db,
  owner: string,
  invoiceId: string,
  changes: readonly FieldChange[],
  options: { version: number; by: string },
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{
      extracted: NormalisedInvoice | null;
      version: number;
      review_state: ReviewState | null;
      deleted: boolean;
    }>(CURRENT, [invoiceId, owner]);
    const row = rows[0];
    if (!row) return false;
    if (row.deleted) throw new CorrectionConflictError('INVOICE_DELETED', `Invoice ${invoiceId} is deleted: restore it to correct it.`);
    if (row.version !== options.version) throw staleVersion(invoiceId, options.version, row.version);
    if (!row.extracted || row.review_state === null) {
      throw new CorrectionConflictError('NOT_EXTRACTED', `Invoice ${invoiceId} has not been read yet: there is nothing to correct.`);
    }
    if (!EDITABLE_STATES.includes(row.review_state)) {
      throw new CorrectionConflictError(
        'NOT_EDITABLE',
        `Invoice ${invoiceId} is ${row.review_state}: reopen it (POST /api/invoices/${invoiceId}/reopen) before correcting it.`,
      );
    }
    const earlier = await correctionsOf(tx, invoiceId);
    const before = applyCorrections(row.extracted, earlier);
    const recorded = changes.flatMap(({ path, target, to }) => {
      const from = valueAt(before, target);
      if (from === null) throw new InvalidInputError('INVALID_FIELD', `${path}: the invoice has no such row.`);
      // The same value is a change only where it confirms a header term read with low confidence.
      const unsure = target.group === null && (before.confidence[target.term] ?? 1) < REVIEW_BELOW;
      return (from ?? null) === to && !unsure ? [] : [{ term: path, from_value: from ?? null, to_value: to }];
    });
    if (recorded.length === 0) return true;
    const corrected = applyCorrections(row.extracted, [...earlier, ...recorded.map((c) => ({ term: c.term, to: c.to_value }))]);
    const { state, reasons } = await reviewOf(tx, invoiceId, corrected);
    const saved = await tx.query<{ version: number }>(SAVE, [
      invoiceId,
      owner,
      options.version,
      JSON.stringify(corrected),
      JSON.stringify(corrected.validation),
      state,
      JSON.stringify(reasons),
      EDITABLE_STATES,
    ]);
    const version = saved.rows[0]?.version;
    if (version === undefined) throw staleVersion(invoiceId, options.version, null);
    await tx.query(RECORD, [invoiceId, owner, options.by, version, JSON.stringify(recorded)]);
    if (state !== row.review_state) await tx.query(TRAIL, [invoiceId, owner, row.review_state, state, options.by]);
    return true;
  });
}

function staleVersion(invoiceId: string, believed: number, current: number | null): CorrectionConflictError {
  return new CorrectionConflictError(
    'VERSION_CONFLICT',
    `Invoice ${invoiceId} changed since version ${believed}${current === null ? '' : ` (it is at version ${current})`}: someone else saved it meanwhile. Reload it; your input was not saved.`,
  );
}
