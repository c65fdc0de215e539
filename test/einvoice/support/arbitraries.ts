// fast-check generators of normalised invoices, limited to what both test writers can express:
// values already in normal form (trimmed text, identifiers without spaces, YYYY-MM-DD dates,
// plain decimal strings), and no all-empty group, since an empty group leaves no element behind.
import fc from 'fast-check';
import type { TermRecord } from '../../../src/einvoice/index.ts';
import type { InvoiceContent } from './writer.ts';

const TEXT_UNITS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 éèàçôÉÀßøÅ&<>"\'-/.,:;()€%#'];

/** Free text: XML-hostile characters included, trimmed, never blank. */
export const text = fc
  .string({ unit: fc.constantFrom(...TEXT_UNITS), minLength: 1, maxLength: 40 })
  .map((s) => s.trim())
  .filter((s) => s !== '');

export const identifier = fc.stringMatching(/^[A-Z0-9][A-Z0-9.\-/]{0,19}$/);
const code = (...codes: string[]) => fc.constantFrom(...codes);

export const date = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

function decimal(maxFractionDigits: number, allowNegative = true) {
  return fc
    .tuple(fc.bigInt({ min: allowNegative ? -(10n ** 12n) : 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: maxFractionDigits }))
    .map(([units, digits]) => {
      const sign = units < 0n ? '-' : '';
      const magnitude = (units < 0n ? -units : units).toString().padStart(digits + 1, '0');
      return digits === 0 ? `${sign}${magnitude}` : `${sign}${magnitude.slice(0, -digits)}.${magnitude.slice(-digits)}`;
    });
}

export const amount = decimal(2);
const price = decimal(4, false);
const quantity = decimal(4);
const rate = fc.constantFrom('0', '0.00', '5.5', '5.50', '10', '19.00', '20.00');

/** A record whose listed keys are optional, with at least `required` present. */
function terms(model: Record<string, fc.Arbitrary<string>>, required: string[]): fc.Arbitrary<TermRecord> {
  return fc.record(model, { requiredKeys: required }) as fc.Arbitrary<TermRecord>;
}

const header = terms(
  {
    'BT-1': text,
    'BT-2': date,
    'BT-3': code('380', '381', '384', '389'),
    'BT-5': code('EUR', 'USD', 'CHF', 'SEK'),
    'BT-9': date,
    'BT-10': text,
    'BT-12': text,
    'BT-13': text,
    'BT-20': text,
    'BT-22': text,
    'BT-23': text,
    'BT-24': code('urn:cen.eu:en16931:2017', 'urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic', 'urn:factur-x.eu:1p0:minimum'),
    'BT-27': text,
    'BT-28': text,
    'BT-29': identifier,
    'BT-30': identifier,
    'BT-31': identifier,
    'BT-34': identifier,
    'BT-35': text,
    'BT-37': text,
    'BT-38': identifier,
    'BT-40': code('FR', 'DE', 'BE', 'NO'),
    'BT-44': text,
    'BT-46': identifier,
    'BT-47': identifier,
    'BT-48': identifier,
    'BT-49': identifier,
    'BT-50': text,
    'BT-52': text,
    'BT-53': identifier,
    'BT-55': code('FR', 'DE', 'IT'),
    'BT-72': date,
    'BT-81': code('30', '42', '58', '59'),
    'BT-83': text,
    'BT-84': identifier,
    'BT-86': identifier,
    'BT-106': amount,
    'BT-107': amount,
    'BT-108': amount,
    'BT-109': amount,
    'BT-110': amount,
    'BT-112': amount,
    'BT-113': amount,
    'BT-114': amount,
    'BT-115': amount,
  },
  ['BT-1', 'BT-5'],
);

const allowance = terms(
  {
    'BT-92': amount,
    'BT-93': amount,
    'BT-94': rate,
    'BT-95': code('S', 'Z', 'E'),
    'BT-96': rate,
    'BT-97': text,
    'BT-98': code('95', '100'),
  },
  ['BT-92'],
);
const charge = terms(
  {
    'BT-99': amount,
    'BT-100': amount,
    'BT-101': rate,
    'BT-102': code('S', 'Z', 'E'),
    'BT-103': rate,
    'BT-104': text,
    'BT-105': code('FC', 'ABL'),
  },
  ['BT-99'],
);
const vat = terms(
  {
    'BT-116': amount,
    'BT-117': amount,
    'BT-118': code('S', 'Z', 'E', 'AE', 'K'),
    'BT-119': rate,
    'BT-120': text,
    'BT-121': code('VATEX-EU-AE', 'VATEX-EU-G'),
  },
  ['BT-118'],
);
const line = terms(
  {
    'BT-126': identifier,
    'BT-129': quantity,
    'BT-130': code('C62', 'HUR', 'DAY', 'KGM'),
    'BT-131': amount,
    'BT-146': price,
    'BT-151': code('S', 'Z', 'E'),
    'BT-152': rate,
    'BT-153': text,
    'BT-154': text,
  },
  ['BT-126'],
  // The unit (BT-130) is an attribute of the quantity (BT-129): it cannot be written alone.
).map(({ 'BT-130': unit, ...rest }) => (rest['BT-129'] !== undefined && unit !== undefined ? { ...rest, 'BT-130': unit } : rest));

export const invoiceContent: fc.Arbitrary<InvoiceContent> = fc.record({
  fields: header,
  allowances: fc.array(allowance, { maxLength: 3 }),
  charges: fc.array(charge, { maxLength: 3 }),
  vatBreakdown: fc.array(vat, { maxLength: 3 }),
  lines: fc.array(line, { maxLength: 5 }),
});
