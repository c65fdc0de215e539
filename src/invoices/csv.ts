// The one CSV writer of Facteur: the period exports (`GET /api/exports`, `facteur export`) and the
// review screen's one-invoice export all write through it, so quoting, numbers, dates and the
// formula-injection defence are the same everywhere.

/**
 * How a spreadsheet in that language opens a CSV without an import dialog: French Excel and
 * LibreOffice split on `;` and read `1234,50` and `15/01/2026`; English ones split on `,` and read
 * `1234.50` and ISO dates. Both get a UTF-8 byte-order mark, without which Excel reads Latin-1.
 */
export type CsvDialect = 'fr' | 'en';

/** A value and what it is: an amount or a date is written the dialect's way, text as it is. */
export type CsvCell = string | undefined | { amount: string | undefined } | { date: string | undefined };

export const BOM = '\uFEFF';

const SEPARATOR: Record<CsvDialect, string> = { fr: ';', en: ',' };

// A cell a spreadsheet would read as a formula (=, +, @, a tab or carriage return first, or a minus
// sign not followed by a number) is prefixed with an apostrophe: an invoice comes from outside,
// and its text must not run in the reader's spreadsheet. Amounts are checked decimals, never text.
const FORMULA = /^[=+@\t\r]|^-(?!\d+([.,]\d+)?$)/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function csvAmount(amount: string, dialect: CsvDialect): string {
  return dialect === 'fr' ? amount.replace('.', ',') : amount;
}

function text(value: string, dialect: CsvDialect): string {
  const safe = FORMULA.test(value) ? `'${value}` : value;
  return safe.includes(SEPARATOR[dialect]) || /["\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function cell(value: CsvCell, dialect: CsvDialect): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return text(value, dialect);
  if ('amount' in value) {
    if (value.amount === undefined) return '';
    // A value that is not a decimal (an OCR misread) is written as text, defused like any text.
    return DECIMAL.test(value.amount) ? csvAmount(value.amount, dialect) : text(value.amount, dialect);
  }
  if (value.date === undefined) return '';
  const date = ISO_DATE.exec(value.date);
  if (!date) return text(value.date, dialect);
  return dialect === 'fr' ? `${date[3]}/${date[2]}/${date[1]}` : value.date;
}

/** One line of the CSV, with its CRLF (RFC 4180). */
export function csvRow(cells: readonly CsvCell[], dialect: CsvDialect): string {
  return `${cells.map((value) => cell(value, dialect)).join(SEPARATOR[dialect])}\r\n`;
}
