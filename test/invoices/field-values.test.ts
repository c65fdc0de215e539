// The typed parsers of the review screen's inputs: what a French accountant types, what the server
// stores, and the refusals with their stable codes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frenchVatKey } from '../../src/einvoice/validate/france.ts';
import { FieldValueError, formatFieldValue, parseDate, parseDecimal, parseFieldValue } from '../../src/invoices/field-values.ts';

/** The code of the error `parseFieldValue(term, text)` throws. */
function refusal(term: string, text: string): string {
  try {
    parseFieldValue(term, text);
  } catch (error) {
    expect(error).toBeInstanceOf(FieldValueError);
    expect((error as FieldValueError).term).toBe(term);
    return (error as FieldValueError).code;
  }
  throw new Error(`${term} = ${text} was accepted`);
}

/** A 9-digit number with a valid Luhn key. */
function withLuhnKey(stem: string): string {
  for (let key = 0; key < 10; key += 1) {
    const digits = `${stem}${key}`;
    let total = 0;
    for (let i = 0; i < digits.length; i += 1) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      total += d;
    }
    if (total % 10 === 0) return digits;
  }
  throw new Error('unreachable');
}

describe('amounts and numbers', () => {
  it('reads the French decimal comma and grouping, and the English forms', () => {
    expect(parseDecimal('1 234,56')).toBe('1234.56');
    expect(parseDecimal('1\u202f234,56')).toBe('1234.56');
    expect(parseDecimal('1\u00a0234,5')).toBe('1234.5');
    expect(parseDecimal('-12,50')).toBe('-12.50');
    expect(parseDecimal('1,234.56')).toBe('1234.56');
    expect(parseDecimal('1.234,56')).toBe('1234.56');
    expect(parseDecimal('1234.56')).toBe('1234.56');
    expect(parseDecimal('12,3,4')).toBeUndefined();
    expect(parseDecimal('douze')).toBeUndefined();
    expect(parseDecimal('')).toBeUndefined();
  });

  it('stores an amount with two decimals at most, and refuses what is not one', () => {
    expect(parseFieldValue('BT-112', ' 1 234,56 ')).toBe('1234.56');
    expect(refusal('BT-112', '12,345')).toBe('INVALID_AMOUNT');
    expect(refusal('BT-112', '12 €')).toBe('INVALID_AMOUNT');
    expect(parseFieldValue('BT-146', '0,12345')).toBe('0.12345');
    expect(refusal('BT-129', 'deux')).toBe('INVALID_DECIMAL');
  });

  it('gives back, from the French form of any amount, the amount (format → parse round trip)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }), fc.constantFrom(0, 1, 2), (units, decimals) => {
        const negative = units < 0n;
        const digits = (negative ? -units : units).toString().padStart(decimals + 1, '0');
        const value = `${negative ? '-' : ''}${decimals ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits}`;
        const shown = formatFieldValue('BT-112', value, 'fr');
        expect(shown).not.toContain('.');
        expect(parseFieldValue('BT-112', shown)).toBe(value);
        expect(parseFieldValue('BT-112', formatFieldValue('BT-112', value, 'en'))).toBe(value);
      }),
    );
  });
});

describe('dates', () => {
  it('reads jj/mm/aaaa and ISO, and refuses what is not a calendar day', () => {
    expect(parseDate('15/01/2026')).toBe('2026-01-15');
    expect(parseDate('5/1/2026')).toBe('2026-01-05');
    expect(parseDate('2026-01-15')).toBe('2026-01-15');
    expect(parseDate('29/02/2025')).toBeUndefined();
    expect(parseDate('01/15/2026')).toBeUndefined();
    expect(refusal('BT-2', '31/04/2026')).toBe('INVALID_DATE');
  });

  it('gives back any day from its French form', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('2199-12-31'), noInvalidDate: true }), (date) => {
        const iso = date.toISOString().slice(0, 10);
        expect(parseFieldValue('BT-9', formatFieldValue('BT-9', iso, 'fr'))).toBe(iso);
      }),
    );
  });
});

describe('codes and identifiers', () => {
  it('takes ISO 4217 currencies and ISO 3166 countries only', () => {
    expect(parseFieldValue('BT-5', 'usd')).toBe('USD');
    expect(refusal('BT-5', 'EURO')).toBe('INVALID_CURRENCY');
    expect(refusal('BT-5', 'XYZ')).toBe('INVALID_CURRENCY');
    expect(parseFieldValue('BT-40', 'fr')).toBe('FR');
    expect(refusal('BT-40', 'XX')).toBe('INVALID_COUNTRY');
    expect(refusal('BT-118', 'Q')).toBe('INVALID_VAT_CATEGORY');
  });

  it('checks SIREN and SIRET by their Luhn key', () => {
    const siren = withLuhnKey('73282932');
    expect(parseFieldValue('BT-30', siren.replace(/(\d{3})/g, '$1 '))).toBe(siren);
    const wrong = `${siren.slice(0, 8)}${(Number(siren[8]) + 1) % 10}`;
    expect(refusal('BT-30', wrong)).toBe('INVALID_SIREN');
    expect(parseFieldValue('BT-47', '73282932000074')).toBe('73282932000074');
    expect(refusal('BT-47', '73282932000075')).toBe('INVALID_SIRET');
    // A registration id of another country is taken as written.
    expect(parseFieldValue('BT-30', 'HRB 12345')).toBe('HRB12345');
  });

  it('checks a French VAT number’s key against its SIREN, other countries by their form', () => {
    const siren = withLuhnKey('40448314');
    expect(parseFieldValue('BT-31', `fr ${frenchVatKey(siren)} ${siren}`)).toBe(`FR${frenchVatKey(siren)}${siren}`);
    const wrongKey = String((Number(frenchVatKey(siren)) + 1) % 97).padStart(2, '0');
    expect(refusal('BT-31', `FR${wrongKey}${siren}`)).toBe('INVALID_VAT_NUMBER');
    expect(refusal('BT-31', 'FR123')).toBe('INVALID_VAT_NUMBER');
    expect(parseFieldValue('BT-48', 'DE123456789')).toBe('DE123456789');
    expect(refusal('BT-48', '123456789')).toBe('INVALID_VAT_NUMBER');
  });

  it('checks an IBAN (mod 97)', () => {
    expect(parseFieldValue('BT-84', 'fr76 3000 6000 0112 3456 7890 189')).toBe('FR7630006000011234567890189');
    expect(refusal('BT-84', 'FR7630006000011234567890188')).toBe('INVALID_IBAN');
  });
});

describe('text', () => {
  it('trims, removes with an empty value, and refuses control and direction characters', () => {
    expect(parseFieldValue('BT-27', '  Au bon moulin  ')).toBe('Au bon moulin');
    expect(parseFieldValue('BT-27', '   ')).toBeNull();
    expect(refusal('BT-27', 'Au bon\u202emoulin')).toBe('INVALID_TEXT');
    expect(refusal('BT-27', 'x'.repeat(2001))).toBe('INVALID_TEXT');
    expect(refusal('BT-999', 'x')).toBe('UNKNOWN_TERM');
  });
});
