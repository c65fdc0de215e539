// A period's invoices for the export suites, stored as rows with their extraction and review state:
// an invoice at two VAT rates, a credit note, a reverse-charge invoice, one in dollars, and others
// each filter must leave out.
import type { Db } from '../../../src/db/index.ts';
import type { NormalisedInvoice } from '../../../src/einvoice/index.ts';
import type { ReviewState } from '../../../src/invoices/views.ts';
import { sampleInvoice } from '../../einvoice/support/sample.ts';
import type { InvoiceContent } from '../../einvoice/support/writer.ts';

export const normalised = (content: InvoiceContent): NormalisedInvoice =>
  ({
    format: 'cii',
    source: { container: 'xml', syntax: 'cii' },
    notes: [],
    confidence: {},
    validation: [],
    ...content,
  }) as NormalisedInvoice;

const change = (fields: Record<string, string>, vatBreakdown?: InvoiceContent['vatBreakdown']): InvoiceContent => {
  const invoice = sampleInvoice();
  return { ...invoice, fields: { ...invoice.fields, ...fields }, vatBreakdown: vatBreakdown ?? invoice.vatBreakdown };
};

/** Two rates (20 % and 5.5 %), the sample. */
export const TWO_RATES = change({ 'BT-1': 'F-TWO-RATES', 'BT-2': '2026-11-03' });
/** A credit note at 20 %: EN 16931 positive amounts with type 381. */
export const CREDIT_NOTE = change(
  { 'BT-1': 'AV-1', 'BT-2': '2026-11-05', 'BT-3': '381', 'BT-109': '100.00', 'BT-110': '20.00', 'BT-112': '120.00', 'BT-115': '120.00' },
  [{ 'BT-116': '100.00', 'BT-117': '20.00', 'BT-118': 'S', 'BT-119': '20.00' }],
);
/** Services from Germany under reverse charge: no VAT on the invoice, self-assessed. */
export const REVERSE_CHARGE = change(
  {
    'BT-1': 'RC-7',
    'BT-2': '2026-11-10',
    'BT-27': 'BERATUNG GMBH',
    'BT-30': 'HRB 12345',
    'BT-31': 'DE123456789',
    'BT-109': '500.00',
    'BT-110': '0.00',
    'BT-112': '500.00',
    'BT-115': '500.00',
  },
  [{ 'BT-116': '500.00', 'BT-117': '0.00', 'BT-118': 'AE', 'BT-119': '0' }],
);
/** In dollars, its VAT also stated in euros (BT-6, BT-111): converted at 0.9. */
export const DOLLARS = change(
  {
    'BT-1': 'US-99',
    'BT-2': '2026-11-20',
    'BT-5': 'USD',
    'BT-6': 'EUR',
    'BT-27': 'CLOUD INC',
    'BT-30': '',
    'BT-31': 'FR40303265045',
    'BT-109': '1000.00',
    'BT-110': '200.00',
    'BT-111': '180.00',
    'BT-112': '1200.00',
    'BT-115': '1200.00',
  },
  [{ 'BT-116': '1000.00', 'BT-117': '200.00', 'BT-118': 'S', 'BT-119': '20.00' }],
);

export interface StoredRow {
  content: InvoiceContent;
  owner?: string;
  review?: ReviewState;
  /** When it was received (created_at). */
  received?: string;
  approved?: string;
}

// Inserts the row as the worker and a reviewer would have left it.
export async function storeRow(db: Db, row: StoredRow): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO invoices (owner, file_name, media_type, size_bytes, sha256, format, extracted, review_state, reviewed_at, created_at)
     VALUES ($1, $2, 'application/xml', 1, repeat('a', 64), 'cii', $3::jsonb, $4, $5::timestamptz, $6::timestamptz) RETURNING id`,
    [
      row.owner ?? 'local',
      `${row.content.fields['BT-1']}.xml`,
      JSON.stringify(normalised(row.content)),
      row.review ?? 'approved',
      (row.review ?? 'approved') === 'approved' ? (row.approved ?? '2026-12-01T09:00:00Z') : null,
      row.received ?? '2026-11-25T10:00:00Z',
    ],
  );
  return rows[0]!.id;
}

/** The period's rows and the ones each filter leaves out. */
export async function storePeriod(db: Db): Promise<void> {
  await storeRow(db, { content: TWO_RATES, received: '2026-11-04T08:00:00Z' });
  await storeRow(db, { content: CREDIT_NOTE, received: '2026-11-06T08:00:00Z' });
  await storeRow(db, { content: REVERSE_CHARGE, received: '2026-12-01T08:00:00Z' });
  await storeRow(db, { content: DOLLARS, received: '2026-11-30T23:30:00Z' });
  // Left out by default: not approved, another owner's, another month.
  await storeRow(db, { content: change({ 'BT-1': 'READY-1', 'BT-2': '2026-11-12' }), review: 'ready' });
  await storeRow(db, { content: change({ 'BT-1': 'BOBS-1', 'BT-2': '2026-11-12' }), owner: 'bob' });
  await storeRow(db, { content: change({ 'BT-1': 'OCT-1', 'BT-2': '2026-10-31' }) });
}
