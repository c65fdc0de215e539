// The corpus's scoring rules (../shared/corpus/README.md, "How to score extraction accuracy"),
// applied to a normalised invoice: exact match after normalising, per field.
import type { NormalisedInvoice, TermRecord } from '../../src/einvoice/index.ts';

const NUMBERS = new Set([
  'BT-106',
  'BT-107',
  'BT-108',
  'BT-109',
  'BT-110',
  'BT-111',
  'BT-112',
  'BT-113',
  'BT-114',
  'BT-115',
  'BT-116',
  'BT-117',
  'BT-119',
  'BT-129',
  'BT-131',
  'BT-146',
  'BT-152',
]);
const DATES = new Set(['BT-2', 'BT-9', 'BT-72', 'BT-73', 'BT-74']);
const IDENTIFIERS = new Set(['BT-29', 'BT-30', 'BT-31', 'BT-47', 'BT-48', 'BT-84']);
const CODES = new Set(['BT-3', 'BT-5', 'BT-24', 'BT-40', 'BT-81', 'BT-118']);
const NAMES = new Set(['BT-27', 'BT-44', 'BT-153']);

/** The term id a label key scores: `BG-25/BT-131` scores BT-131. */
export const termOf = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

export function valuesEqual(key: string, expected: string, actual: string): boolean {
  const term = termOf(key);
  if (NUMBERS.has(term)) {
    const a = Number(expected);
    const b = Number(actual);
    return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= 0.005 + 1e-9;
  }
  if (DATES.has(term)) return expected === actual;
  if (IDENTIFIERS.has(term)) return expected.replace(/\s+/g, '').toUpperCase() === actual.replace(/\s+/g, '').toUpperCase();
  if (CODES.has(term)) return expected.trim() === actual.trim();
  const collapse = (s: string) => s.trim().replace(/\s+/g, ' ');
  if (NAMES.has(term)) return collapse(expected).toLowerCase() === collapse(actual).toLowerCase();
  return collapse(expected) === collapse(actual);
}

/** The extracted value of a label key: a string for header terms, a list for BG-23 and BG-25 terms. */
export function extractedValue(invoice: NormalisedInvoice, key: string): string | string[] | undefined {
  const term = termOf(key) as keyof TermRecord;
  const list = (records: TermRecord[]) => records.map((r) => r[term]).filter((v): v is string => v !== undefined);
  if (key.startsWith('BG-23/')) return list(invoice.vatBreakdown);
  if (key.startsWith('BG-25/')) return list(invoice.lines);
  return invoice.fields[term];
}

/** Lists are compared as multisets: every expected element matched by a distinct extracted one. */
function listsEqual(key: string, expected: string[], actual: string[]): boolean {
  if (expected.length !== actual.length) return false;
  const remaining = [...actual];
  for (const value of expected) {
    const at = remaining.findIndex((candidate) => valuesEqual(key, value, candidate));
    if (at === -1) return false;
    remaining.splice(at, 1);
  }
  return true;
}

export type LabelValue = string | Array<string | null> | null;

/** True when the extraction matches the label; undefined when the label does not score this key. */
export function fieldMatches(invoice: NormalisedInvoice, key: string, expected: LabelValue): boolean | undefined {
  if (expected === null) return undefined;
  const actual = extractedValue(invoice, key);
  if (Array.isArray(expected)) {
    const wanted = expected.filter((v): v is string => v !== null);
    return Array.isArray(actual) && listsEqual(key, wanted, actual);
  }
  return typeof actual === 'string' && valuesEqual(key, expected, actual);
}
