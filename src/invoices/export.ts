// The accounting exports of a period: which invoices (the query, read in keyset pages so memory
// stays flat whatever the period holds), how each is booked (`bookedInvoice`, signed amounts), and
// the writers (CSV in two dialects, XLSX, the FEC purchase journal, JSON), each an async generator
// of chunks that the HTTP response and the CLI pull from at their reader's pace.
import { Decimal } from 'decimal.js';
import type { NormalisedInvoice, TermRecord } from '../einvoice/index.ts';
import type { Sql } from '../db/types.ts';
import { InvalidInputError } from '../errors.ts';
import { choiceFrom, isUuid } from '../validators.ts';
import { documentKind, type DocumentKind } from './amounts.ts';
import { BOM, csvRow, type CsvCell, type CsvDialect } from './csv.ts';
import type { ReviewState } from './views.ts';

export const EXPORT_FORMATS = ['csv-fr', 'csv-en', 'xlsx', 'fec', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Which date a period is of: the invoice's own (BT-2), or the day Facteur received it. */
export type PeriodDate = 'invoice' | 'received';
export type ExportLanguage = 'fr' | 'en';

/** Days are days in France: a file received at 00:30 in Paris on the 1st belongs to the 1st. */
export const EXPORT_TIME_ZONE = 'Europe/Paris';

export interface ExportQuery {
  from: string;
  to: string;
  date: PeriodDate;
  review: ReviewState[];
  /** VAT numbers, SIRENs or names; empty for every supplier. */
  suppliers: string[];
  /**
   * The invoices a person chose (the inbox's selection): when given, exactly these are exported,
   * whatever their period, review state or supplier.
   */
  ids?: string[];
}

export interface ExportRequest extends ExportQuery {
  format: ExportFormat;
  /** The column names of the XLSX (the CSV's follow its dialect). */
  lang: ExportLanguage;
}

const REVIEW_STATES: readonly ReviewState[] = ['approved', 'ready', 'to_review', 'rejected'];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A year and a day: a fiscal year may be up to 23 months in France, but an export is a month or a quarter. */
const PERIOD_DAYS_MAX = 731;
const SUPPLIERS_MAX = 50;
/** The inbox's pages hold 50 rows: a selection of 500 is ten pages ticked. */
const IDS_MAX = 500;

function dateFrom(value: string, name: string): string {
  const parsed = new Date(`${value}T00:00:00Z`);
  if (!ISO_DATE.test(value) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    throw new InvalidInputError('INVALID_DATE', `${name} must be a date such as 2026-01-31 (got ${JSON.stringify(value)}).`);
  }
  return value;
}

/** Today's month in France, first and last day. */
export function currentMonth(now: Date): { from: string; to: string } {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone: EXPORT_TIME_ZONE, year: 'numeric', month: '2-digit' })
    .format(now)
    .split('-')
    .map(Number) as [number, number];
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const mm = String(month).padStart(2, '0');
  return { from: `${year}-${mm}-01`, to: `${year}-${mm}-${String(last).padStart(2, '0')}` };
}

/**
 * An export's parameters, from the query string or the CLI's options (the same names, the same
 * defaults): the current month by invoice date, approved invoices only, every supplier, French CSV.
 */
export function exportRequestFrom(
  params: {
    from?: string | null;
    to?: string | null;
    date?: string | null;
    review?: string | null;
    supplier?: string | null;
    ids?: string | null;
    format?: string | null;
    lang?: string | null;
  },
  now: Date,
): ExportRequest {
  const month = currentMonth(now);
  const from = params.from ? dateFrom(params.from, 'from') : month.from;
  const to = params.to ? dateFrom(params.to, 'to') : params.from ? from : month.to;
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  if (days < 0) throw new InvalidInputError('INVALID_PERIOD', `The period ends (${to}) before it starts (${from}).`);
  if (days >= PERIOD_DAYS_MAX) throw new InvalidInputError('INVALID_PERIOD', `A period is at most ${PERIOD_DAYS_MAX} days long.`);
  const review = (params.review ?? 'approved')
    .split(',')
    .map((state) => state.trim())
    .filter(Boolean);
  const unknown = review.find((state) => !REVIEW_STATES.includes(state as ReviewState));
  if (review.length === 0 || unknown !== undefined) {
    throw new InvalidInputError('INVALID_REVIEW_STATE', `review must be a comma-separated list of ${REVIEW_STATES.join(', ')}.`);
  }
  const suppliers = (params.supplier ?? '').split(',').map(supplierKey).filter(Boolean);
  if (suppliers.length > SUPPLIERS_MAX || suppliers.some((s) => s.length > 200)) {
    throw new InvalidInputError('INVALID_SUPPLIER', `supplier names at most ${SUPPLIERS_MAX} suppliers, each at most 200 characters.`);
  }
  const ids = (params.ids ?? '').split(',').filter(Boolean);
  if (ids.length > IDS_MAX || !ids.every(isUuid)) {
    throw new InvalidInputError('INVALID_IDS', `ids names at most ${IDS_MAX} invoices, by their ids (UUIDs), comma-separated.`);
  }
  return {
    from,
    to,
    date: choiceFrom(params.date ?? null, ['invoice', 'received'], 'INVALID_DATE_KIND', 'date'),
    review: [...new Set(review)] as ReviewState[],
    suppliers,
    ...(ids.length > 0 ? { ids } : {}),
    format: choiceFrom(params.format ?? null, EXPORT_FORMATS, 'INVALID_FORMAT', 'format'),
    lang: choiceFrom(params.lang ?? null, ['fr', 'en'], 'INVALID_LANGUAGE', 'lang'),
  };
}

/** A supplier as the filter compares it: upper case, no spaces (`fr 11 123…` is `FR11123…`). */
const supplierKey = (value: string) => value.toUpperCase().replace(/\s+/g, '');

// ---------------------------------------------------------------------------------- reading

/** An invoice as exported: the booked (reviewed, corrected) model and what the export adds. */
export interface BookedInvoice {
  invoiceId: string;
  fileName: string;
  /** The day it was received, in France. */
  receivedOn: string;
  reviewState: ReviewState;
  /** The day it was approved, in France; absent unless approved. */
  approvedOn: string | undefined;
  invoice: NormalisedInvoice;
  /** The supplier's default expense account, once the supplier directory (issue 14) gives one. */
  supplierExpenseAccount: string | undefined;
}

interface ExportRow {
  id: string;
  file_name: string;
  booked: NormalisedInvoice;
  review_state: ReviewState;
  received_on: string;
  approved_on: string | null;
  supplier_expense_account: string | null;
  sort_key: string;
}

/**
 * The one place an exported invoice's model is read from its row: the invoice as booked (BOOKED),
 * with the reviewer's corrections, so every format shows the corrected values.
 */
export function bookedInvoice(row: ExportRow): BookedInvoice {
  return {
    invoiceId: row.id,
    fileName: row.file_name,
    receivedOn: row.received_on,
    reviewState: row.review_state,
    approvedOn: row.approved_on ?? undefined,
    invoice: row.booked,
    supplierExpenseAccount: row.supplier_expense_account ?? undefined,
  };
}

/**
 * Rows per page: a page's invoices are in memory at once, with their lines. Small pages die young
 * (a page of 500 survived into the old generation and let the heap grow by 150 MB over 100,000
 * invoices before a full collection; 100 kept the CSV export within 30 MB of the process's start).
 */
export const EXPORT_PAGE = 100;

// The invoice as booked: the extraction with people's corrections (src/invoices/corrections.ts)
// applied, which the review screen stored beside it.
const BOOKED = 'coalesce(i.corrected, i.extracted)';

// The period, by invoice date (text ISO dates compare as dates) or by received day in France.
const PERIOD = {
  invoice: `(${BOOKED} #>> '{fields,BT-2}') BETWEEN $3 AND $4`,
  received: `i.created_at >= ($3::date::timestamp AT TIME ZONE '${EXPORT_TIME_ZONE}')
         AND i.created_at < (($4::date + 1)::timestamp AT TIME ZONE '${EXPORT_TIME_ZONE}')`,
} as const;
// The order of a period's rows, and the keyset the next page starts after.
const ORDER = {
  invoice: { key: `(${BOOKED} #>> '{fields,BT-2}')`, type: 'text' },
  received: { key: 'i.created_at', type: 'timestamptz' },
} as const;
const FILTER = (date: PeriodDate) => `
   WHERE i.owner = $1 AND i.extracted IS NOT NULL AND i.deleted_at IS NULL
     AND (i.id = ANY($6::uuid[])
          OR (cardinality($6::uuid[]) = 0 AND i.review_state = ANY($2::text[]) AND ${PERIOD[date]}
              AND (cardinality($5::text[]) = 0
                   OR upper(replace(${BOOKED} #>> '{fields,BT-31}', ' ', '')) = ANY($5::text[])
                   OR upper(replace(${BOOKED} #>> '{fields,BT-30}', ' ', '')) = ANY($5::text[])
                   OR upper(replace(${BOOKED} #>> '{fields,BT-27}', ' ', '')) = ANY($5::text[]))))`;

// One page of the owner's invoices in the period, after the previous page's last row. Reads only,
// locks nothing, and holds no transaction between pages: a slow download pins no snapshot (the
// xmin horizon) and, on PGlite, leaves the one connection to the app between pages. Walks
// invoices_owner_invoice_date or invoices_owner_created. The supplier's expense account is NULL
// until the supplier directory (issue 14) is joined here.
const pageQuery = (date: PeriodDate, after: boolean) => {
  const { key, type } = ORDER[date];
  return `
  SELECT i.id, i.file_name, ${BOOKED} AS booked, i.review_state,
         to_char(i.created_at AT TIME ZONE '${EXPORT_TIME_ZONE}', 'YYYY-MM-DD') AS received_on,
         CASE WHEN i.review_state = 'approved'
              THEN to_char(i.reviewed_at AT TIME ZONE '${EXPORT_TIME_ZONE}', 'YYYY-MM-DD') END AS approved_on,
         NULL::text AS supplier_expense_account,
         ${key}::text AS sort_key
    FROM invoices i ${FILTER(date)}
     ${after ? `AND (${key}, i.id) > ($7::${type}, $8::uuid)` : ''}
   ORDER BY ${key}, i.id
   LIMIT ${after ? '$9' : '$7'}`;
};
const PAGES = {
  invoice: [pageQuery('invoice', false), pageQuery('invoice', true)],
  received: [pageQuery('received', false), pageQuery('received', true)],
} as const;

// The VAT rates of the period's invoices (reverse charge apart), for the per-rate columns known
// before the first row is written: one pass over the same rows, returning a handful. Reads only.
const RATES = (date: PeriodDate) => `
  SELECT DISTINCT CASE WHEN v->>'BT-118' = 'AE' THEN 'AE' ELSE coalesce(v->>'BT-119', '0') END AS rate
    FROM invoices i CROSS JOIN LATERAL jsonb_array_elements(coalesce(${BOOKED}->'vatBreakdown', '[]'::jsonb)) v
    ${FILTER(date)}`;
const RATE_QUERIES = { invoice: RATES('invoice'), received: RATES('received') } as const;

const filterParams = (owner: string, query: ExportQuery) => [owner, query.review, query.from, query.to, query.suppliers, query.ids ?? []];

/** The owner's invoices of the period, page by page, in the period's date order. */
export async function* exportPages(sql: Sql, owner: string, query: ExportQuery, pageSize = EXPORT_PAGE): AsyncGenerator<BookedInvoice[]> {
  const [first, next] = PAGES[query.date];
  let last: ExportRow | undefined;
  for (;;) {
    const { rows } = await sql.query<ExportRow>(
      last ? next : first,
      last ? [...filterParams(owner, query), last.sort_key, last.id, pageSize] : [...filterParams(owner, query), pageSize],
    );
    if (rows.length > 0) yield rows.map(bookedInvoice);
    if (rows.length < pageSize) return;
    last = rows.at(-1);
  }
}

/** A VAT rate column: a percentage (`20`, `5.5`, `0`) or `AE`, reverse charge. */
export type RateKey = string;

/** `20.00` and `20` are the same rate; reverse charge is its own column, last. */
export function rateKey(vat: TermRecord): RateKey {
  if (vat['BT-118'] === 'AE') return 'AE';
  const rate = vat['BT-119'];
  return rate !== undefined && /^\d+(\.\d+)?$/.test(rate) ? new Decimal(rate).toString() : '0';
}

export async function exportRates(sql: Sql, owner: string, query: ExportQuery): Promise<RateKey[]> {
  const { rows } = await sql.query<{ rate: string }>(RATE_QUERIES[query.date], filterParams(owner, query));
  const keys = new Set(rows.map((row) => rateKey(row.rate === 'AE' ? { 'BT-118': 'AE' } : { 'BT-119': row.rate })));
  const ordered = [...keys].filter((key) => key !== 'AE').sort((a, b) => Number(a) - Number(b));
  return keys.has('AE') ? [...ordered, 'AE'] : ordered;
}

// ------------------------------------------------------------------------ booked amounts

/** A decimal amount, or undefined when the term is missing or not a number. */
function decimal(value: string | undefined): Decimal | undefined {
  return value !== undefined && /^-?\d+(\.\d+)?$/.test(value) ? new Decimal(value) : undefined;
}

/**
 * The amounts an export shows, signed: the stored model keeps EN 16931's positive amounts on a
 * credit note (type 381), and an accountant's file shows it negative. The one place exports sign.
 */
export interface SignedAmounts {
  kind: DocumentKind;
  net: Decimal | undefined;
  vat: Decimal | undefined;
  gross: Decimal | undefined;
  due: Decimal | undefined;
  /** Per rate: taxable base and VAT, summed when a rate appears twice (two categories at 0 %). */
  rates: Map<RateKey, { base: Decimal; vat: Decimal }>;
}

export function signedAmounts(invoice: NormalisedInvoice): SignedAmounts {
  const kind = documentKind(invoice.fields['BT-3']);
  const sign = (value: Decimal | undefined) => (value && kind === 'credit_note' ? value.neg() : value);
  const rates = new Map<RateKey, { base: Decimal; vat: Decimal }>();
  for (const vat of invoice.vatBreakdown) {
    const key = rateKey(vat);
    const before = rates.get(key) ?? { base: new Decimal(0), vat: new Decimal(0) };
    rates.set(key, {
      base: before.base.plus(sign(decimal(vat['BT-116'])) ?? 0),
      vat: before.vat.plus(sign(decimal(vat['BT-117'])) ?? 0),
    });
  }
  const f = invoice.fields;
  return {
    kind,
    net: sign(decimal(f['BT-109'])),
    vat: sign(decimal(f['BT-110'])),
    gross: sign(decimal(f['BT-112'])),
    due: sign(decimal(f['BT-115'])),
    rates,
  };
}

/** The supplier's SIREN: its legal registration (BT-30) when it is one, else read from a French VAT number. */
export function supplierSiren(invoice: NormalisedInvoice): string | undefined {
  const legal = invoice.fields['BT-30']?.replace(/\s+/g, '');
  if (legal && /^\d{9}$/.test(legal)) return legal;
  if (legal && /^\d{14}$/.test(legal)) return legal.slice(0, 9);
  const vat = invoice.fields['BT-31']?.replace(/\s+/g, '').toUpperCase();
  return vat && /^FR[0-9A-Z]{2}\d{9}$/.test(vat) ? vat.slice(4) : undefined;
}

// -------------------------------------------------------------------------------- columns

type Kind = 'text' | 'amount' | 'date';
type Value = string | Decimal | undefined;

/** A column of the CSV and XLSX exports: its names, its kind, and its value for an invoice. */
export interface ExportColumn {
  fr: string;
  en: string;
  kind: Kind;
  /** Width in characters in the XLSX. */
  width: number;
  value: (entry: BookedInvoice, amounts: SignedAmounts) => Value;
  /** Summed in the XLSX's totals row. */
  total?: boolean;
  /** A code column's values in the reader's words (the document kind, the review state). */
  words?: Record<string, { fr: string; en: string }>;
}

const KIND_NAMES: Record<DocumentKind, { fr: string; en: string }> = {
  invoice: { fr: 'Facture', en: 'Invoice' },
  credit_note: { fr: 'Avoir', en: 'Credit note' },
  corrected: { fr: 'Facture rectificative', en: 'Corrective invoice' },
  other: { fr: 'Facture', en: 'Invoice' },
};
const REVIEW_NAMES: Record<ReviewState, { fr: string; en: string }> = {
  approved: { fr: 'Approuvée', en: 'Approved' },
  ready: { fr: 'Prête', en: 'Ready' },
  to_review: { fr: 'À vérifier', en: 'To review' },
  rejected: { fr: 'Rejetée', en: 'Rejected' },
};

/** The words of a document kind, for the FEC's entry labels too. */
export const kindName = (kind: DocumentKind, lang: ExportLanguage) => KIND_NAMES[kind][lang];

const rateName = (key: RateKey, lang: ExportLanguage) =>
  key === 'AE' ? (lang === 'fr' ? 'autoliquidation' : 'reverse charge') : `${lang === 'fr' ? key.replace('.', ',') : key} %`;

/** The columns of a period's CSV or XLSX: the invoice, then HT and TVA per rate present, then totals. */
export function exportColumns(rates: readonly RateKey[]): ExportColumn[] {
  const field = (term: string) => (entry: BookedInvoice) => entry.invoice.fields[term as keyof NormalisedInvoice['fields']];
  return [
    { fr: 'Type', en: 'Type', kind: 'text', width: 20, words: KIND_NAMES, value: (_, a) => a.kind },
    { fr: 'Numéro', en: 'Number', kind: 'text', width: 18, value: field('BT-1') },
    { fr: 'Date de facture', en: 'Invoice date', kind: 'date', width: 12, value: field('BT-2') },
    { fr: 'Échéance', en: 'Due date', kind: 'date', width: 12, value: field('BT-9') },
    { fr: 'Fournisseur', en: 'Supplier', kind: 'text', width: 30, value: field('BT-27') },
    { fr: 'SIREN', en: 'SIREN', kind: 'text', width: 11, value: (entry) => supplierSiren(entry.invoice) },
    { fr: 'N° TVA', en: 'VAT number', kind: 'text', width: 16, value: field('BT-31') },
    { fr: 'Devise', en: 'Currency', kind: 'text', width: 8, value: field('BT-5') },
    ...rates.flatMap((key): ExportColumn[] => [
      {
        fr: `HT ${rateName(key, 'fr')}`,
        en: `Net ${rateName(key, 'en')}`,
        kind: 'amount',
        width: 13,
        total: true,
        value: (_, a) => a.rates.get(key)?.base,
      },
      {
        fr: `TVA ${rateName(key, 'fr')}`,
        en: `VAT ${rateName(key, 'en')}`,
        kind: 'amount',
        width: 13,
        total: true,
        value: (_, a) => a.rates.get(key)?.vat,
      },
    ]),
    { fr: 'Total HT', en: 'Total net', kind: 'amount', width: 13, total: true, value: (_, a) => a.net },
    { fr: 'Total TVA', en: 'Total VAT', kind: 'amount', width: 13, total: true, value: (_, a) => a.vat },
    { fr: 'Total TTC', en: 'Total gross', kind: 'amount', width: 13, total: true, value: (_, a) => a.gross },
    { fr: 'Net à payer', en: 'Amount due', kind: 'amount', width: 13, total: true, value: (_, a) => a.due },
    { fr: 'Statut', en: 'Status', kind: 'text', width: 12, words: REVIEW_NAMES, value: (entry) => entry.reviewState },
    { fr: 'Approuvée le', en: 'Approved on', kind: 'date', width: 12, value: (entry) => entry.approvedOn },
    { fr: 'Reçue le', en: 'Received on', kind: 'date', width: 12, value: (entry) => entry.receivedOn },
    { fr: 'Fichier', en: 'File', kind: 'text', width: 30, value: (entry) => entry.fileName },
    { fr: 'Identifiant Facteur', en: 'Facteur id', kind: 'text', width: 38, value: (entry) => entry.invoiceId },
  ];
}

/** A text column's value in the reader's words. */
export function columnText(column: ExportColumn, value: string, lang: ExportLanguage): string {
  return column.words?.[value]?.[lang] ?? value;
}

// -------------------------------------------------------------------------------- writers

/** What an export reads: its rows page by page, the rate columns, and the owner's accounting settings. */
export interface ExportSource {
  query: ExportQuery;
  rates: readonly RateKey[];
  pages(): AsyncIterable<BookedInvoice[]>;
}

function csvCells(columns: readonly ExportColumn[], entry: BookedInvoice, amounts: SignedAmounts, lang: ExportLanguage): CsvCell[] {
  return columns.map((column) => {
    const value = column.value(entry, amounts);
    if (column.kind === 'amount') return { amount: value instanceof Decimal ? value.toFixed(2) : value };
    if (column.kind === 'date') return { date: value as string | undefined };
    return value === undefined ? undefined : columnText(column, String(value), lang);
  });
}

/** The period's CSV, one row per invoice, in the dialect's separator, numbers and dates. */
export async function* csvExport(source: ExportSource, dialect: CsvDialect): AsyncGenerator<string> {
  const columns = exportColumns(source.rates);
  yield BOM +
    csvRow(
      columns.map((column) => column[dialect]),
      dialect,
    );
  for await (const page of source.pages()) {
    yield page.map((entry) => csvRow(csvCells(columns, entry, signedAmounts(entry.invoice), dialect), dialect)).join('');
  }
}

/** The normalised invoices of the period (corrected values) as one JSON array, written invoice by invoice. */
export async function* jsonExport(source: ExportSource): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const page of source.pages()) {
    const parts = page.map(({ supplierExpenseAccount: _, ...entry }) => JSON.stringify(entry));
    yield `${first ? '\n' : ',\n'}${parts.join(',\n')}`;
    first = false;
  }
  yield '\n]\n';
}

/** A download's name: what it is, and its period. */
export function exportFileName(request: ExportRequest): string {
  const period = request.from === request.to ? request.from : `${request.from}_${request.to}`;
  const what = request.format === 'fec' ? 'FEC-achats' : request.lang === 'en' || request.format === 'csv-en' ? 'invoices' : 'factures';
  const extension = { 'csv-fr': 'csv', 'csv-en': 'csv', xlsx: 'xlsx', fec: 'txt', json: 'json' }[request.format];
  return `${what}-${period}.${extension}`;
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  'csv-fr': 'text/csv; charset=utf-8',
  'csv-en': 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  fec: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
};
