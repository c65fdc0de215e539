// From the text an XML element holds to the value the normalised invoice stores (docs/architecture.md):
// dates YYYY-MM-DD, numbers as plain decimal strings (never floats), identifiers without spaces.
import type { Finding, TermType } from '../model.ts';

/** The normalised value, if there is one, and what was wrong with the text, if anything. */
export interface Normalised {
  readonly value?: string;
  readonly finding?: Finding;
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A plain decimal string, digits kept as written so that round trips are exact. */
export function normaliseDecimal(raw: string): string | undefined {
  const text = raw.replace(/\s+/g, '');
  if (!DECIMAL.test(text)) return undefined;
  const negative = text.startsWith('-');
  let digits = text.replace(/^[+-]/, '');
  if (digits.startsWith('.')) digits = `0${digits}`;
  if (digits.endsWith('.')) digits = digits.slice(0, -1);
  return negative ? `-${digits}` : digits;
}

/** CII date formats (UNTDID 2379) that name a month or a week rather than a day. */
const PERIOD_FORMATS = new Set(['610', '616']);

/**
 * CII writes dates as `format="102"` (YYYYMMDD), UBL as xs:date (YYYY-MM-DD, maybe with a zone).
 * A value that names no single day (CII format 610 `YYYYMM`, 616 a week) has no YYYY-MM-DD form.
 * Any other format code is trusted to the text itself: producers mistype it (`1020`).
 */
export function normaliseDate(raw: string, format?: string | null): string | undefined {
  const text = raw.trim();
  if (format && PERIOD_FORMATS.has(format.trim())) return undefined;
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:$|[TZ+-])/.exec(text);
  const parts = compact ?? iso;
  if (!parts) return undefined;
  const [, year, month, day] = parts;
  const date = `${year}-${month}-${day}`;
  return isCalendarDate(date) ? date : undefined;
}

function isCalendarDate(date: string): boolean {
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date);
}

export function normaliseTerm(id: string, type: TermType, raw: string, dateFormat?: string | null): Normalised {
  switch (type) {
    case 'date': {
      const value = normaliseDate(raw, dateFormat);
      if (value !== undefined) return { value };
      const shown = dateFormat ? `${raw.trim()} (format ${dateFormat})` : raw.trim();
      return {
        finding: {
          rule: 'FACTEUR-DATE',
          severity: 'warning',
          message: `${id} ${shown} is not a calendar date`,
          values: { term: id, value: raw.trim() },
        },
      };
    }
    case 'amount':
    case 'unitPrice':
    case 'quantity':
    case 'percent': {
      const value = normaliseDecimal(raw);
      if (value !== undefined) return { value };
      // "1234,56": a decimal comma is the commonest slip of hand-made XML; its meaning is not in
      // doubt when it is the only separator, so the value is kept and the slip reported.
      const withComma = /^\s*([+-]?\d+),(\d+)\s*$/.exec(raw);
      if (withComma) {
        return {
          value: normaliseDecimal(`${withComma[1]}.${withComma[2]}`),
          finding: {
            rule: 'FACTEUR-NUMBER',
            severity: 'warning',
            message: `${id} "${raw.trim()}" uses a decimal comma; read as ${withComma[1]}.${withComma[2]}`,
            values: { term: id, value: raw.trim(), read: `${withComma[1]}.${withComma[2]}` },
          },
        };
      }
      return {
        finding: {
          rule: 'FACTEUR-NUMBER',
          severity: 'error',
          message: `${id} "${raw.trim()}" is not a decimal number`,
          values: { term: id, value: raw.trim() },
        },
      };
    }
    case 'identifier':
      return { value: raw.replace(/\s+/g, '') };
    case 'code':
    case 'text':
      return { value: raw.trim() };
  }
}
