// Corrections as an overlay on the extraction (issue 14, point 3). The extraction (`invoices.extracted`,
// and for an e-invoice its XML) is never changed; a person's changes are rows of
// `invoice_corrections`, and what is shown, re-validated and booked is `applyCorrections(extracted,
// corrections)`. This module is the single place that turns the two into the corrected invoice:
// the API's `extracted` view, the stored findings and review state, and the exports all go through it.
import type { Sql } from '../db/types.ts';
import { revalidate } from '../einvoice/index.ts';
import { TERMS, type NormalisedInvoice, type TermId, type TermRecord } from '../einvoice/model.ts';

/** One change a person made: `term` is a correction path (see `correctionTarget`), `from`/`to` null when absent. */
export interface Correction {
  term: string;
  from: string | null;
  to: string | null;
  by: string;
  at: string;
}

/** The repeated groups a correction may reach into, by their EN 16931 id. */
export const CORRECTABLE_GROUPS = { 'BG-23': 'vatBreakdown', 'BG-25': 'lines' } as const;
type GroupId = keyof typeof CORRECTABLE_GROUPS;

const VAT_TERMS = new Set<string>(['BT-116', 'BT-117', 'BT-118', 'BT-119', 'BT-120', 'BT-121']);
const LINE_TERMS = new Set<string>([
  'BT-126',
  'BT-127',
  'BT-129',
  'BT-130',
  'BT-131',
  'BT-146',
  'BT-147',
  'BT-148',
  'BT-149',
  'BT-151',
  'BT-152',
  'BT-153',
  'BT-154',
  'BT-155',
  'BT-157',
]);
/** Header terms not corrected one by one: the notes (BG-1) and document allowances and charges (BG-20, BG-21). */
const NOT_HEADER = /^BT-(2[12]|9[2-9]|10[0-5])$/;

/** Where a correction applies: the header (`BT-27`) or a row of a group (`BG-23[0].BT-116`, `BG-25[2].BT-131`, rows from 0). */
export type CorrectionTarget = { group: null; term: TermId } | { group: GroupId; index: number; term: TermId };

/** The target a correction path names, or undefined when the term does not belong where it is put. */
export function correctionTarget(path: string): CorrectionTarget | undefined {
  const match = /^(?:(BG-23|BG-25)\[(\d{1,4})\]\.)?(BT-\d+)$/.exec(path);
  if (!match) return undefined;
  const [, group, index, term] = match;
  if (!term || !(term in TERMS)) return undefined;
  if (group === undefined)
    return VAT_TERMS.has(term) || LINE_TERMS.has(term) || NOT_HEADER.test(term) ? undefined : { group: null, term: term as TermId };
  if (!(group === 'BG-23' ? VAT_TERMS : LINE_TERMS).has(term)) return undefined;
  return { group: group as GroupId, index: Number(index), term: term as TermId };
}

function recordOf(invoice: NormalisedInvoice, target: CorrectionTarget): TermRecord | undefined {
  return target.group === null ? invoice.fields : invoice[CORRECTABLE_GROUPS[target.group]][target.index];
}

/** The value at a correction target; undefined when absent, null when the row does not exist. */
export function valueAt(invoice: NormalisedInvoice, target: CorrectionTarget): string | undefined | null {
  const record = recordOf(invoice, target);
  return record === undefined ? null : record[target.term];
}

/**
 * The invoice as booked: `extracted` with each correction applied in order (the latest for a path
 * wins; `to: null` removes the term), every corrected header term at confidence 1 (a person read
 * it), and the findings recomputed from the result (`revalidate`: the extraction's model rules, the
 * file's own findings kept). A correction of a row the extraction no longer has (re-read
 * differently) is skipped. Pure: `extracted` is not changed.
 */
export function applyCorrections(
  extracted: NormalisedInvoice,
  corrections: ReadonlyArray<Pick<Correction, 'term' | 'to'>>,
): NormalisedInvoice {
  if (corrections.length === 0) return extracted;
  const invoice = structuredClone(extracted);
  const changed = new Set<string>();
  for (const correction of corrections) {
    const target = correctionTarget(correction.term);
    const record = target && recordOf(invoice, target);
    if (!target || !record) continue;
    if (correction.to === null) delete record[target.term];
    else record[target.term] = correction.to;
    if (target.group === null) invoice.confidence[target.term] = 1;
    changed.add(target.term);
  }
  invoice.validation = revalidate(invoice, changed);
  return invoice;
}

// The invoice's corrections, oldest first: the order they are applied in. Reads only.
const CORRECTIONS = `
  SELECT term, from_value, to_value, corrected_by, corrected_at FROM invoice_corrections
   WHERE invoice_id = $1 ORDER BY id`;

/** Every correction of the invoice, oldest first (the owner is checked by the caller's read of the invoice). */
export async function correctionsOf(sql: Sql, invoiceId: string): Promise<Correction[]> {
  const { rows } = await sql.query<{
    term: string;
    from_value: string | null;
    to_value: string | null;
    corrected_by: string;
    corrected_at: Date;
  }>(CORRECTIONS, [invoiceId]);
  return rows.map((row) => ({
    term: row.term,
    from: row.from_value,
    to: row.to_value,
    by: row.corrected_by,
    at: row.corrected_at.toISOString(),
  }));
}
