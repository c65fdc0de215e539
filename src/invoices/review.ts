import type { Sql } from '../db/types.ts';
import { FacteurError } from '../errors.ts';
import { REVIEW_BELOW, type NormalisedInvoice, type TermId } from '../einvoice/index.ts';
import { applyCorrections, correctionsOf } from './corrections.ts';
import { earlierDuplicate } from './duplicates.ts';
import type { DuplicateMatch, ReviewEvent, ReviewReason, ReviewState } from './views.ts';

/** Who the trail names for the state derived when the extraction is stored. */
export const SYSTEM_REVIEWER = 'facteur';

/** The fields a booking rests on: one read with low confidence puts the invoice to review. */
const KEY_TERMS: readonly TermId[] = ['BT-1', 'BT-2', 'BT-3', 'BT-5', 'BT-27', 'BT-31', 'BT-44', 'BT-109', 'BT-110', 'BT-112', 'BT-115'];

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** The state an extraction earns: `to_review` with its reasons, else `ready`. */
export function deriveReview(
  invoice: NormalisedInvoice,
  duplicate: { duplicateOf: string; match: DuplicateMatch } | null,
): { state: ReviewState; reasons: ReviewReason[] } {
  const reasons: ReviewReason[] = [];
  const errors = [...new Set(invoice.validation.filter((f) => f.severity === 'error').map((f) => f.rule))];
  if (errors.length > 0) reasons.push({ code: 'ERRORS', rules: errors });
  const unsure = KEY_TERMS.filter((term) => (invoice.confidence[term] ?? 1) < REVIEW_BELOW);
  if (unsure.length > 0) reasons.push({ code: 'LOW_CONFIDENCE', terms: unsure });
  const currency = invoice.fields['BT-5'] ?? null;
  if (currency === null || !KNOWN_CURRENCIES.has(currency)) reasons.push({ code: 'UNKNOWN_CURRENCY', terms: ['BT-5'], value: currency });
  if (duplicate) reasons.push({ code: 'DUPLICATE', ...duplicate });
  return { state: reasons.length > 0 ? 'to_review' : 'ready', reasons };
}

// Stores the extraction and the state it earns in one statement. The row lock taken by the UPDATE
// orders it against a person's transition: a decision already made (approved, rejected) is kept,
// only a derived state is replaced; the trail records a change of state.
const SAVE_EXTRACTION = `
  WITH old AS (SELECT id, owner, review_state FROM invoices WHERE id = $1 FOR UPDATE),
  saved AS (
    UPDATE invoices i
       SET format = $2, extracted = $3::jsonb, validation = $4::jsonb, corrected = $8::jsonb, updated_at = now(), version = i.version + 1,
           review_state = CASE WHEN old.review_state IN ('approved', 'rejected') THEN old.review_state ELSE $5 END,
           review_reasons = $6::jsonb
      FROM old WHERE i.id = old.id
    RETURNING i.id, i.owner, old.review_state AS from_state, i.review_state AS to_state)
  INSERT INTO invoice_reviews (invoice_id, owner, from_state, to_state, reviewed_by)
  SELECT id, owner, from_state, to_state, $7 FROM saved WHERE from_state IS DISTINCT FROM to_state`;

/** The state the invoice earns as it reads now (extracted, or corrected), its duplicates looked up. */
export async function reviewOf(
  tx: Sql,
  invoiceId: string,
  invoice: NormalisedInvoice,
): Promise<{ state: ReviewState; reasons: ReviewReason[] }> {
  return deriveReview(invoice, await earlierDuplicate(tx, invoiceId, invoice));
}

/**
 * Written in the same transaction that marks the job completed. A re-read keeps what people
 * corrected: the overlay is applied to the new extraction, and the state is the corrected invoice's.
 */
export async function saveExtraction(tx: Sql, invoiceId: string, invoice: NormalisedInvoice): Promise<void> {
  const corrections = await correctionsOf(tx, invoiceId);
  const current = applyCorrections(invoice, corrections);
  const { state, reasons } = await reviewOf(tx, invoiceId, current);
  await tx.query(SAVE_EXTRACTION, [
    invoiceId,
    invoice.format,
    JSON.stringify(invoice),
    JSON.stringify(current.validation),
    state,
    JSON.stringify(reasons),
    SYSTEM_REVIEWER,
    corrections.length > 0 ? JSON.stringify(current) : null,
  ]);
}

/** A person's transitions, and the states each may leave. */
export const TRANSITIONS = {
  approve: { from: ['to_review', 'ready'], to: 'approved' },
  reject: { from: ['to_review', 'ready'], to: 'rejected' },
  reopen: { from: ['approved', 'rejected'], to: 'to_review' },
} as const satisfies Record<string, { from: readonly ReviewState[]; to: ReviewState }>;

export type Transition = keyof typeof TRANSITIONS;

/** A transition refused because the invoice is not in the state (or version) the caller believed. */
export class ReviewConflictError extends FacteurError {}

// One guarded statement: the row moves only from an allowed state and, when the caller names one,
// from the version it saw; the row lock of the UPDATE serialises two people acting at once (the
// second re-checks the WHERE against the first's result and moves nothing). The trail row is
// written by the same statement, so it exists exactly when the move does.
const TRANSITION = `
  WITH old AS (SELECT id, review_state FROM invoices WHERE id = $1 AND owner = $2 FOR UPDATE),
  moved AS (
    UPDATE invoices i
       SET review_state = $4, reviewed_by = $6, reviewed_at = now(), review_reason = $7, version = i.version + 1, updated_at = now()
      FROM old
     WHERE i.id = old.id AND i.review_state = ANY($3::text[]) AND ($5::int IS NULL OR i.version = $5)
    RETURNING i.id, i.owner, old.review_state AS from_state)
  INSERT INTO invoice_reviews (invoice_id, owner, from_state, to_state, reviewed_by, reason)
  SELECT id, owner, from_state, $4, $6, $7 FROM moved
  RETURNING id`;

// What the invoice is now, to say why a transition was refused. Reads only.
const CURRENT = 'SELECT review_state, version FROM invoices WHERE id = $1 AND owner = $2';

/**
 * Moves the owner's invoice by `transition`, as `by`. Returns false when the invoice is not the
 * owner's; throws VERSION_CONFLICT or INVALID_TRANSITION (both change nothing).
 */
export async function transitionReview(
  sql: Sql,
  owner: string,
  invoiceId: string,
  transition: Transition,
  options: { by: string; version?: number; reason?: string },
): Promise<boolean> {
  const { from, to } = TRANSITIONS[transition];
  const reason = options.reason ?? null;
  const moved = await sql.query(TRANSITION, [invoiceId, owner, from, to, options.version ?? null, options.by, reason]);
  if (moved.rowCount === 1) return true;
  const { rows } = await sql.query<{ review_state: ReviewState | null; version: number }>(CURRENT, [invoiceId, owner]);
  const current = rows[0];
  if (!current) return false;
  if (options.version !== undefined && current.version !== options.version) {
    throw new ReviewConflictError(
      'VERSION_CONFLICT',
      `Invoice ${invoiceId} changed since version ${options.version} (it is at version ${current.version}): reload it and decide again.`,
    );
  }
  throw new ReviewConflictError(
    'INVALID_TRANSITION',
    current.review_state === null
      ? `Invoice ${invoiceId} has not been read yet: it cannot be ${to} before its extraction.`
      : `Invoice ${invoiceId} is ${current.review_state}: it can be moved to ${to} only from ${from.join(' or ')}.`,
  );
}

// The trail of one invoice, oldest first. Reads only; the owner is checked by the caller's read.
const HISTORY = `
  SELECT from_state, to_state, reviewed_by, reviewed_at, reason FROM invoice_reviews
   WHERE invoice_id = $1 AND owner = $2 ORDER BY id`;

export async function reviewHistory(sql: Sql, owner: string, invoiceId: string): Promise<ReviewEvent[]> {
  const { rows } = await sql.query<{
    from_state: ReviewState | null;
    to_state: ReviewState;
    reviewed_by: string;
    reviewed_at: Date;
    reason: string | null;
  }>(HISTORY, [invoiceId, owner]);
  return rows.map((row) => ({
    from: row.from_state,
    to: row.to_state,
    by: row.reviewed_by,
    at: row.reviewed_at.toISOString(),
    reason: row.reason,
  }));
}
