import type { NormalisedInvoice, TermId, TermRecord } from '../einvoice/model.ts';

// The review screen's CSV export: one row per invoice line, the invoice's header terms repeated on
// each, so that a spreadsheet can filter and sum them. Columns are EN 16931 term ids (stable,
// whatever the language); amounts stay the decimal strings of docs/architecture.md. Semicolons and a
// byte-order mark, because that is what a spreadsheet opens cleanly in a French locale.

const HEADER_TERMS: TermId[] = [
  'BT-1',
  'BT-2',
  'BT-3',
  'BT-5',
  'BT-9',
  'BT-27',
  'BT-30',
  'BT-31',
  'BT-44',
  'BT-47',
  'BT-48',
  'BT-109',
  'BT-110',
  'BT-112',
  'BT-115',
];
const LINE_TERMS: TermId[] = ['BT-126', 'BT-153', 'BT-129', 'BT-130', 'BT-146', 'BT-131', 'BT-151', 'BT-152'];

// A cell a spreadsheet would read as a formula (=, +, @, a tab or carriage return first, or a minus
// sign not followed by a number) is prefixed with an apostrophe: an invoice comes from outside,
// and its text must not run in the reader's spreadsheet. Negative amounts stay numbers.
const FORMULA = /^[=+@\t\r]|^-(?!\d+(\.\d+)?$)/;

function cell(value: string | undefined): string {
  if (value === undefined) return '';
  const safe = FORMULA.test(value) ? `'${value}` : value;
  return /[";\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function invoiceCsv(invoice: NormalisedInvoice): string {
  const header = HEADER_TERMS.map((term) => invoice.fields[term]);
  const lines: TermRecord[] = invoice.lines.length > 0 ? invoice.lines : [{}];
  const rows = [[...HEADER_TERMS, ...LINE_TERMS], ...lines.map((line) => [...header, ...LINE_TERMS.map((term) => line[term])])];
  return `\uFEFF${rows.map((row) => row.map(cell).join(';')).join('\r\n')}\r\n`;
}
