// Reading values as invoices print them, in French, English and German: « 1 234,56 € »,
// « 1.234,56 », « 1,234.56 », « 13 novembre 2017 », « 05.06.2018 », « March 5, 2018 »; and the
// identifiers whose check digits say whether a reading is right (SIREN, French VAT, IBAN).
import { checkVAT, countries } from 'jsvat';
import { ibanValid } from '../validate/france.ts';

/**
 * Lower case without accents, one character for one character, so that offsets found in the
 * normalised text point into the original (label regexes are written against this form).
 */
export function fold(text: string): string {
  let out = '';
  for (const char of text) {
    const folded = char.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    const lower = char.toLowerCase();
    out += folded.length === char.length ? folded : lower.length === char.length ? lower : char;
  }
  return out.replace(/[’`´]/g, "'");
}

export interface Found<T> {
  readonly value: T;
  readonly start: number;
  readonly end: number;
}

// Thousands grouped by space, no-break space, dot, comma or apostrophe; two decimals after the last
// separator. A number followed by % is a rate, not an amount. A minus may stand before the currency
// symbol ("-€483.10") or after the amount ("100,00-").
const AMOUNT = /(?<![\d.,])([-−–]\s?(?:[€$£₹]\s?)?)?(\d{1,3}(?:[ \u00a0\u202f.,']\d{3})+|\d+)([.,])(\d{2})(?![\d%]|\s?%|[.,]\d)(-)?/g;

/** Amounts in cents, with where they are in the text. */
export function findAmounts(text: string): Array<Found<number>> {
  const found: Array<Found<number>> = [];
  for (const m of text.matchAll(AMOUNT)) {
    const [whole, sign, integer = '', , fraction = '', trailingMinus] = m;
    const cents = Number(integer.replace(/\D/g, '')) * 100 + Number(fraction);
    if (!Number.isSafeInteger(cents)) continue;
    found.push({ value: (sign || trailingMinus) && cents !== 0 ? -cents : cents, start: m.index, end: m.index + whole.length });
  }
  return found;
}

export const formatCents = (cents: number): string => {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
};

/** Numbers that may be VAT rates (0–30, with or without %), in hundredths of a percent. */
export function findRates(text: string): Array<Found<number>> {
  const found: Array<Found<number>> = [];
  for (const m of text.matchAll(/(?<![\d.,])(\d{1,2})(?:[.,](\d{1,3}))?(?![\d]|[.,]\d)\s?(%)?/g)) {
    const [whole, integer = '', fraction = ''] = m;
    const hundredths = Number(integer) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
    if (hundredths > 3000) continue;
    found.push({ value: hundredths, start: m.index, end: m.index + whole.length });
  }
  return found;
}

// French, English, German, Dutch, Italian and Spanish month names and their abbreviations.
const MONTHS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^(?:janv?|january|januar|jan|janvier|jaenner|janner|januari|gennaio|gen|enero|ene)$/, 1],
  [/^(?:fevr?|fev|fevrier|february|februar|feb|februari|febbraio|febrero)$/, 2],
  [/^(?:mars|march|marz|maerz|mar|mrz|maart|mrt|marzo)$/, 3],
  [/^(?:avr|avril|april|apr|aprile|abril|abr)$/, 4],
  [/^(?:mai|may|mei|maggio|mag|mayo)$/, 5],
  [/^(?:juin|june|juni|jun|giugno|giu|junio)$/, 6],
  [/^(?:juil|juillet|july|juli|jul|luglio|lug|julio)$/, 7],
  [/^(?:aout|august|aug|augustus|agosto|ago)$/, 8],
  [/^(?:sept?|septembre|september|settembre|set|septiembre|setiembre)$/, 9],
  [/^(?:oct|octobre|october|okt|oktober|ottobre|ott|octubre)$/, 10],
  [/^(?:nov|novembre|november|noviembre)$/, 11],
  [/^(?:dec|decembre|december|dez|dezember|dicembre|dic|diciembre)$/, 12],
];
const monthOf = (word: string): number | undefined => MONTHS.find(([re]) => re.test(word))?.[1];

function isoDate(year: number, month: number, day: number): string | undefined {
  if (year < 100) year += 2000;
  if (year < 1990 || year > 2100 || month < 1 || month > 12 || day < 1) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return undefined;
  return date.toISOString().slice(0, 10);
}

const MONTH_WORD = '([a-z]{3,10})\\.?';
const NUMERIC_DATE = /(?<![\d.])(\d{1,2})\s?([./-])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d]|[.,]\d)/g;

/**
 * Whether a document writes its numeric dates month first (US "11/17/2017"): it does when one of its
 * slashed dates only reads that way and none only reads day first.
 */
export function monthFirstIn(text: string): boolean {
  let monthFirst = false;
  for (const m of text.matchAll(NUMERIC_DATE)) {
    if (m[2] !== '/') continue;
    const a = Number(m[1]);
    const b = Number(m[3]);
    if (a > 12 && b <= 12) return false;
    if (b > 12 && a <= 12) monthFirst = true;
  }
  return monthFirst;
}

const DATE_PATTERNS: ReadonlyArray<readonly [RegExp, (m: RegExpExecArray, monthFirst: boolean) => string | undefined]> = [
  [/(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)/g, (m) => isoDate(Number(m[1]), Number(m[2]), Number(m[3]))],
  [
    // Day first, as in French and German, unless the document writes month first.
    NUMERIC_DATE,
    (m, monthFirst) => {
      const a = Number(m[1]);
      const b = Number(m[3]);
      const year = Number(m[4]);
      return (monthFirst && m[2] === '/') || (b > 12 && a <= 12) ? isoDate(year, a, b) : isoDate(year, b, a);
    },
  ],
  [
    // "13 novembre 2017", "5. März 2026", "14 de junio de 2026"
    new RegExp(`(?<!\\d)(\\d{1,2})(?:er|st|nd|rd|th|\\.)?\\s+(?:de\\s+)?${MONTH_WORD}\\s+(?:de\\s+)?(\\d{4})(?!\\d)`, 'g'),
    (m) => {
      const month = monthOf(m[2] ?? '');
      return month === undefined ? undefined : isoDate(Number(m[3]), month, Number(m[1]));
    },
  ],
  [
    new RegExp(`\\b${MONTH_WORD}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})(?!\\d)`, 'g'),
    (m) => {
      const month = monthOf(m[1] ?? '');
      return month === undefined ? undefined : isoDate(Number(m[3]), month, Number(m[2]));
    },
  ],
];

/** Dates as YYYY-MM-DD, in the order they appear. */
export function findDates(text: string, monthFirst = false): Array<Found<string>> {
  const folded = fold(text);
  const found: Array<Found<string>> = [];
  for (const [pattern, read] of DATE_PATTERNS) {
    for (const m of folded.matchAll(pattern)) {
      const value = read(m as RegExpExecArray, monthFirst);
      if (value === undefined) continue;
      if (found.some((f) => f.start < m.index + m[0].length && m.index < f.end)) continue;
      found.push({ value, start: m.index, end: m.index + m[0].length });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

// An id followed by more digits is the start of something longer (an IBAN: "DE08 7009 0100 …").
const VAT_CANDIDATE =
  /(?<![A-Z0-9])(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|GB|XI|CH)[\s.-]?((?:[0-9A-Z][\s.-]?){7,13})(?![0-9A-Z])(?![\s.-]?\d)/g;

/**
 * VAT identifiers without spaces, in the shape their country gives them, and `checked` when their
 * national check digits agree (jsvat). A French one must carry its SIREN's key: French ids are
 * printed with it, and a wrong key is a misreading. Other countries' sample invoices often print
 * made-up ids ("DE123456789"), so a failed check only lowers the trust in them.
 */
export function findVatIds(text: string): Array<Found<string> & { checked: boolean }> {
  const found: Array<Found<string> & { checked: boolean }> = [];
  for (const m of text.matchAll(VAT_CANDIDATE)) {
    const country = m[1] ?? '';
    // A candidate may swallow a trailing word ("DE123456789 Steuernummer"): try shorter readings.
    const body = (m[2] ?? '').replace(/[\s.-]/g, '');
    for (let length = body.length; length >= 8; length -= 1) {
      const id = `${country === 'XI' ? 'GB' : country}${body.slice(0, length)}`;
      const check = checkVAT(id, countries);
      if (!check.isValidFormat || (body.slice(0, length).match(/\d/g)?.length ?? 0) < 7) continue;
      if (country === 'FR' && /^\d{11}$/.test(body.slice(0, length)) && !check.isValid) break;
      found.push({ value: `${country}${body.slice(0, length)}`, start: m.index, end: m.index + m[0].length, checked: check.isValid });
      break;
    }
  }
  return found;
}

/** IBANs that pass their mod-97 check, without spaces. */
export function findIbans(text: string): Array<Found<string>> {
  const found: Array<Found<string>> = [];
  for (const m of text.matchAll(/(?<![A-Z0-9])([A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?)(?![A-Z0-9])/g)) {
    const iban = (m[1] ?? '').replace(/\s/g, '');
    if (ibanValid(iban)) found.push({ value: iban, start: m.index, end: m.index + m[0].length });
  }
  return found;
}
