// What a person types into a field of the review screen, parsed into the normalised invoice's form
// (docs/architecture.md: dates YYYY-MM-DD, amounts as decimal strings, identifiers without spaces),
// and the stored value formatted back for the input. Pure and free of the database, so that the
// screen checks each input as it is typed with the very parser the server applies on save.
import { TERMS, termType, type TermId, type TermType } from '../einvoice/model.ts';
import { frenchVatKey, ibanValid, sirenValid, siretValid } from '../einvoice/validate/france.ts';
import { normaliseDate, normaliseDecimal } from '../einvoice/xml/normalise.ts';
import { InvalidInputError } from '../errors.ts';

/** A typed value refused: the term it was for, a stable code, a sentence; nothing is stored. */
export class FieldValueError extends InvalidInputError {
  readonly term: string;

  constructor(term: string, code: string, message: string) {
    super(code, message);
    this.term = term;
  }
}

/** The longest text a field takes (EN 16931 sets none; a note of a few paragraphs fits). */
export const FIELD_TEXT_MAX = 2000;

const CURRENCY_TERMS = new Set<string>(['BT-5', 'BT-6']);
const COUNTRY_TERMS = new Set<string>(['BT-40', 'BT-55', 'BT-69', 'BT-80']);
const VAT_CATEGORY_TERMS = new Set<string>(['BT-95', 'BT-102', 'BT-118', 'BT-151']);
const VAT_NUMBER_TERMS = new Set<string>(['BT-31', 'BT-48', 'BT-63']);
const LEGAL_ID_TERMS = new Set<string>(['BT-30', 'BT-47']);

/** ISO 4217, as the runtime knows it (the same list the review state checks BT-5 against). */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
/** UNCL 5305 as EN 16931 restricts it (BR-CL-17). */
const VAT_CATEGORIES = new Set(['S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M']);
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

// Spaces a French number is grouped with: space, no-break space, narrow no-break space; and the
// apostrophe of Swiss grouping.
const GROUPING = /[\s\u00a0\u202f'’]/g;
// Word characters and the separators of identifiers; anything else (control characters, bidi
// marks) has no place in a stored value.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * A decimal as typed, French first: « 1 234,56 », « 1234,56 », « -12,5 », and « 1,234.56 » or
 * « 1234.56 » too (with both marks, the last one is the decimal separator; a lone comma is one).
 * Returns the plain decimal string (`1234.56`), or undefined when it is not a number.
 */
export function parseDecimal(text: string): string | undefined {
  const compact = text.replace(GROUPING, '');
  if (compact === '') return undefined;
  const comma = compact.lastIndexOf(',');
  const dot = compact.lastIndexOf('.');
  let plain = compact;
  if (comma >= 0 && dot >= 0) {
    plain = comma > dot ? compact.replaceAll('.', '').replace(',', '.') : compact.replaceAll(',', '');
  } else if (comma >= 0) {
    if (compact.indexOf(',') !== comma) return undefined;
    plain = compact.replace(',', '.');
  }
  if (/\.\d*\./.test(plain)) return undefined;
  return normaliseDecimal(plain);
}

/** A date as typed: jj/mm/aaaa (or jj.mm.aaaa, jj-mm-aaaa) or ISO aaaa-mm-jj; a calendar day or undefined. */
export function parseDate(text: string): string | undefined {
  const trimmed = text.trim();
  const french = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(trimmed);
  if (french) {
    const [, day, month, year] = french;
    return normaliseDate(`${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`);
  }
  return /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? normaliseDate(trimmed) : undefined;
}

/** `FR` + key + SIREN with its key checked; other countries by their shape (2 letters, 2 to 13 characters). */
export function vatNumberValid(value: string): boolean {
  const french = /^FR([0-9A-Z]{2})(\d{9})$/.exec(value);
  if (french) {
    const [, key, siren] = french;
    // Keys with letters are the older alphanumeric form, computed by a rule that is not public.
    return !/^\d{2}$/.test(key!) || key === frenchVatKey(siren!);
  }
  return !value.startsWith('FR') && /^[A-Z]{2}[0-9A-Z+*.]{2,13}$/.test(value);
}

const label = (term: string) => (term in TERMS ? `${TERMS[term as TermId].name} (${term})` : term);

/**
 * The stored form of `text` typed for `term`, or null when the text is empty (the term is then
 * removed). Throws FieldValueError with a stable code: INVALID_AMOUNT (two decimals at most),
 * INVALID_DECIMAL, INVALID_DATE, INVALID_CURRENCY, INVALID_COUNTRY, INVALID_VAT_CATEGORY,
 * INVALID_CODE, INVALID_VAT_NUMBER, INVALID_SIREN, INVALID_SIRET, INVALID_IBAN, INVALID_TEXT.
 */
export function parseFieldValue(term: string, text: string): string | null {
  const type = termType(term);
  if (type === undefined) throw new FieldValueError(term, 'UNKNOWN_TERM', `${term} is not a business term Facteur stores.`);
  const refuse = (code: string, sentence: string): never => {
    throw new FieldValueError(term, code, `${label(term)}: ${sentence}`);
  };
  if (CONTROL.test(text)) refuse('INVALID_TEXT', 'control and direction characters are not allowed.');
  if (text.length > FIELD_TEXT_MAX) refuse('INVALID_TEXT', `at most ${FIELD_TEXT_MAX} characters.`);
  const trimmed = text.trim();
  if (trimmed === '') return null;
  switch (type) {
    case 'amount': {
      const value = parseDecimal(trimmed) ?? refuse('INVALID_AMOUNT', `« ${trimmed} » is not an amount (e.g. 1 234,56).`);
      if ((value.split('.')[1]?.length ?? 0) > 2) refuse('INVALID_AMOUNT', `« ${trimmed} » has more than two decimals.`);
      return value;
    }
    case 'unitPrice':
    case 'quantity':
    case 'percent':
      return parseDecimal(trimmed) ?? refuse('INVALID_DECIMAL', `« ${trimmed} » is not a number (e.g. 12,5).`);
    case 'date':
      return parseDate(trimmed) ?? refuse('INVALID_DATE', `« ${trimmed} » is not a date (jj/mm/aaaa or aaaa-mm-jj).`);
    case 'code':
      return parseCode(term, trimmed.toUpperCase(), refuse);
    case 'identifier':
      return parseIdentifier(term, trimmed.replace(/\s+/g, ''), refuse);
    case 'text':
      return trimmed;
  }
}

type Refuse = (code: string, sentence: string) => never;

function parseCode(term: string, code: string, refuse: Refuse): string {
  if (CURRENCY_TERMS.has(term) && !CURRENCIES.has(code))
    refuse('INVALID_CURRENCY', `« ${code} » is not an ISO 4217 currency code (EUR, USD…).`);
  if (COUNTRY_TERMS.has(term) && !(/^[A-Z]{2}$/.test(code) && regionNames.of(code))) {
    refuse('INVALID_COUNTRY', `« ${code} » is not an ISO 3166 country code (FR, DE…).`);
  }
  if (VAT_CATEGORY_TERMS.has(term) && !VAT_CATEGORIES.has(code)) {
    refuse('INVALID_VAT_CATEGORY', `« ${code} » is not a VAT category (${[...VAT_CATEGORIES].join(', ')}).`);
  }
  if (!/^[0-9A-Z][0-9A-Z._:-]{0,34}$/.test(code)) refuse('INVALID_CODE', `« ${code} » is not a code.`);
  return code;
}

function parseIdentifier(term: string, value: string, refuse: Refuse): string {
  if (VAT_NUMBER_TERMS.has(term)) {
    const vat = value.toUpperCase();
    if (!vatNumberValid(vat)) refuse('INVALID_VAT_NUMBER', `« ${value} » is not a VAT number, or its key does not match (FR + 2 + SIREN).`);
    return vat;
  }
  // Registration ids of other countries have other forms; a 9 or 14-digit one is a SIREN or SIRET.
  if (LEGAL_ID_TERMS.has(term) && /^\d{9}$/.test(value) && !sirenValid(value)) {
    refuse('INVALID_SIREN', `SIREN ${value} fails its check digit (Luhn).`);
  }
  if (LEGAL_ID_TERMS.has(term) && /^\d{14}$/.test(value) && !siretValid(value)) {
    refuse('INVALID_SIRET', `SIRET ${value} fails its check digit (Luhn).`);
  }
  if (term === 'BT-84' && /^[A-Z]{2}\d{2}/i.test(value) && !ibanValid(value))
    refuse('INVALID_IBAN', `IBAN ${value} fails its check (mod 97).`);
  return term === 'BT-84' ? value.toUpperCase() : value;
}

/**
 * A stored value as the input shows it: French amounts and numbers grouped with narrow no-break
 * spaces and a decimal comma, dates jj/mm/aaaa; English ones plain (1234.56, 2026-01-15).
 * `parseFieldValue(term, formatFieldValue(term, v, locale))` gives `v` back.
 */
export function formatFieldValue(term: string, value: string | undefined, locale: 'fr' | 'en'): string {
  if (value === undefined) return '';
  const type: TermType | undefined = termType(term);
  if (locale === 'en' || type === undefined) return value;
  if (type === 'date') {
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    return iso ? `${iso[3]}/${iso[2]}/${iso[1]}` : value;
  }
  if (type === 'amount' || type === 'unitPrice' || type === 'quantity' || type === 'percent') return formatFrenchDecimal(value);
  return value;
}

/** `-1234.5` → `-1 234,5` (narrow no-break spaces), digits kept as they are. */
export function formatFrenchDecimal(value: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) return value;
  const [, sign, whole, fraction] = match;
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return `${sign}${grouped}${fraction === undefined ? '' : `,${fraction}`}`;
}
