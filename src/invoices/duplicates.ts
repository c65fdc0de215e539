// Whether an invoice repeats an earlier one of its owner: the same file (found once, when the file is
// stored, and kept in invoices.duplicate_of), or probably the same invoice sent again, which only
// the extracted fields reveal: the same supplier and number, or the same supplier, date and total.
import type { Sql } from '../db/types.ts';
import type { NormalisedInvoice } from '../einvoice/index.ts';
import type { DuplicateMatch } from './views.ts';

/**
 * The supplier as the lookup compares it: its VAT number when it has one, its name otherwise; the
 * same expression as the index invoices_owner_seller (migration 20261206140000).
 */
const SELLER_KEY = (alias: string) =>
  `coalesce(upper(${alias}.extracted->'fields'->>'BT-31'), lower(btrim(${alias}.extracted->'fields'->>'BT-27')))`;

function sellerKey(invoice: NormalisedInvoice): string | null {
  const vat = invoice.fields['BT-31'];
  if (vat !== undefined) return vat.toUpperCase();
  const name = invoice.fields['BT-27']?.replace(/^ +| +$/g, '');
  return name === undefined ? null : name.toLowerCase();
}

// The identical file recorded at upload, else the earliest earlier invoice of the owner from the
// same supplier with the same number, or the same issue date and total. Reads only; the probe goes
// through invoices_owner_seller.
const EARLIER_DUPLICATE = `
  SELECT coalesce(i.duplicate_of, p.id) AS id,
         CASE WHEN i.duplicate_of IS NOT NULL THEN 'file' ELSE p.match END AS match
    FROM invoices i
    LEFT JOIN LATERAL (
      SELECT d.id, CASE WHEN d.extracted->'fields'->>'BT-1' = $3 THEN 'number' ELSE 'date_total' END AS match
        FROM invoices d
       WHERE d.owner = i.owner AND (d.created_at, d.id) < (i.created_at, i.id) AND d.deleted_at IS NULL
         AND ${SELLER_KEY('d')} = $2
         AND (d.extracted->'fields'->>'BT-1' = $3
              OR (d.extracted->'fields'->>'BT-2' = $4 AND d.extracted->'fields'->>'BT-112' = $5))
       ORDER BY d.created_at, d.id
       LIMIT 1) p ON i.duplicate_of IS NULL
   WHERE i.id = $1`;

/** The earlier invoice `invoiceId` (extracted as `invoice`) repeats, and how; null when none. */
export async function earlierDuplicate(
  sql: Sql,
  invoiceId: string,
  invoice: NormalisedInvoice,
): Promise<{ duplicateOf: string; match: DuplicateMatch } | null> {
  const f = invoice.fields;
  const { rows } = await sql.query<{ id: string | null; match: DuplicateMatch | null }>(EARLIER_DUPLICATE, [
    invoiceId,
    sellerKey(invoice),
    f['BT-1'] ?? null,
    f['BT-2'] ?? null,
    f['BT-112'] ?? null,
  ]);
  const row = rows[0];
  return row?.id && row.match ? { duplicateOf: row.id, match: row.match } : null;
}
