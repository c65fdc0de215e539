// EN 16931-1 business rules, evaluated on the normalised invoice with decimal arithmetic (the VAT
// category rules are in categories.ts). Each rule keeps the spec's id and follows the official
// Schematron's behaviour, its tolerances and its rounding included, so that Facteur agrees with the
// CEN unit tests (bench/extract/cen.ts measures it). A rule whose subject is absent does not fire;
// the mandatory-term rules (BR-01…BR-16, BR-21…BR-26, BR-31…BR-48) say when a subject is missing.
import { Decimal } from 'decimal.js';
import { validateVatCategories, VAT_CATEGORY_RULES } from './categories.ts';
import { TERMS, type Finding, type NormalisedInvoice, type TermId, type TermRecord } from '../model.ts';

type Invoice = Pick<NormalisedInvoice, 'fields' | 'allowances' | 'charges' | 'vatBreakdown' | 'lines' | 'profileLevel' | 'source'>;

const ZERO = new Decimal(0);

const dec = (value: string | undefined): Decimal | undefined => (value === undefined ? undefined : new Decimal(value));
const sum = (values: Array<string | undefined>): Decimal =>
  values.reduce<Decimal>((total, v) => (v === undefined ? total : total.plus(v)), ZERO);
/** XPath `round(x * 100) div 100`: half towards positive infinity, as the Schematron computes. */
const round2 = (value: Decimal): Decimal => value.toDecimalPlaces(2, Decimal.ROUND_HALF_CEIL);

const label = (id: TermId) => `${TERMS[id].name} (${id})`;

/** The mandatory terms (BR-01…BR-16 on the header, BR-21…BR-26 on each line). */
const MANDATORY: ReadonlyArray<readonly [string, TermId]> = [
  ['BR-01', 'BT-24'],
  ['BR-02', 'BT-1'],
  ['BR-03', 'BT-2'],
  ['BR-04', 'BT-3'],
  ['BR-05', 'BT-5'],
  ['BR-06', 'BT-27'],
  ['BR-07', 'BT-44'],
  ['BR-09', 'BT-40'],
  ['BR-11', 'BT-55'],
  ['BR-12', 'BT-106'],
  ['BR-13', 'BT-109'],
  ['BR-14', 'BT-112'],
  ['BR-15', 'BT-115'],
];

const LINE_MANDATORY: ReadonlyArray<readonly [string, TermId]> = [
  ['BR-21', 'BT-126'],
  ['BR-22', 'BT-129'],
  ['BR-23', 'BT-130'],
  ['BR-24', 'BT-131'],
  ['BR-25', 'BT-153'],
  ['BR-26', 'BT-146'],
];

const SELLER_ADDRESS: readonly TermId[] = ['BT-35', 'BT-36', 'BT-162', 'BT-37', 'BT-38', 'BT-39', 'BT-40'];
const BUYER_ADDRESS: readonly TermId[] = ['BT-50', 'BT-51', 'BT-163', 'BT-52', 'BT-53', 'BT-54', 'BT-55'];

/** BR-DEC: amounts carry at most two decimals. Rule ids as numbered in EN 16931-1. */
const TWO_DECIMALS: Partial<Record<TermId, string>> = {
  'BT-92': 'BR-DEC-01',
  'BT-93': 'BR-DEC-02',
  'BT-99': 'BR-DEC-05',
  'BT-100': 'BR-DEC-06',
  'BT-106': 'BR-DEC-09',
  'BT-107': 'BR-DEC-10',
  'BT-108': 'BR-DEC-11',
  'BT-109': 'BR-DEC-12',
  'BT-110': 'BR-DEC-13',
  'BT-112': 'BR-DEC-14',
  'BT-111': 'BR-DEC-15',
  'BT-113': 'BR-DEC-16',
  'BT-114': 'BR-DEC-17',
  'BT-115': 'BR-DEC-18',
  'BT-116': 'BR-DEC-19',
  'BT-117': 'BR-DEC-20',
  'BT-131': 'BR-DEC-23',
};

/** Terms every record of a repeated group must carry (BR-31…BR-48, BR-CO-04). */
type GroupName = 'allowances' | 'charges' | 'vatBreakdown' | 'lines';
const GROUP_MANDATORY: ReadonlyArray<{ rule: string; group: GroupName; what: string; anyOf: readonly TermId[] }> = [
  { rule: 'BR-31', group: 'allowances', what: 'Document level allowance', anyOf: ['BT-92'] },
  { rule: 'BR-32', group: 'allowances', what: 'Document level allowance', anyOf: ['BT-95'] },
  { rule: 'BR-33', group: 'allowances', what: 'Document level allowance', anyOf: ['BT-97', 'BT-98'] },
  { rule: 'BR-36', group: 'charges', what: 'Document level charge', anyOf: ['BT-99'] },
  { rule: 'BR-37', group: 'charges', what: 'Document level charge', anyOf: ['BT-102'] },
  { rule: 'BR-38', group: 'charges', what: 'Document level charge', anyOf: ['BT-104', 'BT-105'] },
  { rule: 'BR-45', group: 'vatBreakdown', what: 'VAT breakdown', anyOf: ['BT-116'] },
  { rule: 'BR-46', group: 'vatBreakdown', what: 'VAT breakdown', anyOf: ['BT-117'] },
  { rule: 'BR-47', group: 'vatBreakdown', what: 'VAT breakdown', anyOf: ['BT-118'] },
  { rule: 'BR-CO-04', group: 'lines', what: 'Invoice line', anyOf: ['BT-151'] },
];

/** Terms a group must carry when the group is there (BR-17…BR-20, BR-49, BR-55…BR-57, BR-CO-19). */
const PRESENT_GROUP_MANDATORY: ReadonlyArray<{ rule: string; group: string; what: string; anyOf: readonly string[] }> = [
  { rule: 'BR-17', group: 'BG-10', what: 'The Payee (BG-10)', anyOf: ['BT-59'] },
  { rule: 'BR-18', group: 'BG-11', what: 'The Seller tax representative (BG-11)', anyOf: ['BT-62'] },
  { rule: 'BR-19', group: 'BG-11', what: 'The Seller tax representative (BG-11)', anyOf: ['BG-12'] },
  { rule: 'BR-20', group: 'BG-12', what: 'The Seller tax representative postal address (BG-12)', anyOf: ['BT-69'] },
  { rule: 'BR-49', group: 'BG-16', what: 'A Payment instruction (BG-16)', anyOf: ['BT-81'] },
  { rule: 'BR-55', group: 'BG-3', what: 'A Preceding invoice reference (BG-3)', anyOf: ['BT-25'] },
  { rule: 'BR-56', group: 'BG-11', what: 'The Seller tax representative (BG-11)', anyOf: ['BT-63'] },
  { rule: 'BR-57', group: 'BG-15', what: 'The Deliver to address (BG-15)', anyOf: ['BT-80'] },
  // UBL writes the tax point date code (BT-8) in the invoicing period, which is then not empty.
  { rule: 'BR-CO-19', group: 'BG-14', what: 'The Invoicing period (BG-14)', anyOf: ['BT-73', 'BT-74', 'BT-8'] },
];

/** Document type codes (UNTDID 1001) of credit notes, on which nothing is due to the seller. */
export const CREDIT_NOTE_TYPES: ReadonlySet<string> = new Set(['81', '83', '261', '262', '296', '308', '381', '396', '420', '458', '532']);

/** Payment means codes for credit transfers (UNTDID 4461), which need an account to pay into (BR-61). */
const CREDIT_TRANSFER = new Set(['30', '58']);

/** Every rule id this module can report, for agreement measurements against the CEN tests. */
export const EN16931_RULES: readonly string[] = [
  ...MANDATORY.map(([rule]) => rule),
  'BR-08',
  'BR-10',
  'BR-16',
  ...LINE_MANDATORY.map(([rule]) => rule),
  'BR-27',
  'BR-28',
  'BR-29',
  ...GROUP_MANDATORY.map(({ rule }) => rule),
  'BR-48',
  'BR-61',
  ...PRESENT_GROUP_MANDATORY.map(({ rule }) => rule),
  'BR-53',
  'BR-CO-03',
  'BR-CO-18',
  'BR-CO-25',
  'BR-CO-26',
  'BR-CO-10',
  'BR-CO-11',
  'BR-CO-12',
  'BR-CO-13',
  'BR-CO-14',
  'BR-CO-15',
  'BR-CO-16',
  'BR-CO-17',
  ...VAT_CATEGORY_RULES,
  ...Object.values(TWO_DECIMALS),
];

/**
 * @param present terms and groups whose element exists in the source XML even when empty or
 *   unreadable; without it, presence is read from the normalised values.
 */
export function validateEn16931(invoice: Invoice, present?: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  const error = (rule: string, message: string) => findings.push({ rule, severity: 'error', message });
  const f = invoice.fields;
  const has = (id: string) => present?.has(id) || (f as Record<string, string | undefined>)[id] !== undefined;

  for (const [rule, id] of MANDATORY) if (!has(id)) error(rule, `An invoice shall have a ${label(id)}`);
  if (!has('BG-5') && !SELLER_ADDRESS.some(has)) error('BR-08', 'An invoice shall contain the Seller postal address (BG-5)');
  if (!has('BG-8') && !BUYER_ADDRESS.some(has)) error('BR-10', 'An invoice shall contain the Buyer postal address (BG-8)');
  if (invoice.lines.length === 0) error('BR-16', 'An invoice shall have at least one Invoice line (BG-25)');

  invoice.lines.forEach((line, index) => {
    const which = `Invoice line ${line['BT-126'] ?? `#${index + 1}`}`;
    for (const [rule, id] of LINE_MANDATORY) if (line[id] === undefined) error(rule, `${which} shall have an ${label(id)}`);
    if (dec(line['BT-146'])?.isNegative()) error('BR-27', `${which}: the ${label('BT-146')} shall not be negative`);
    if (dec(line['BT-148'])?.isNegative()) error('BR-28', `${which}: the ${label('BT-148')} shall not be negative`);
  });

  for (const { rule, group, what, anyOf } of GROUP_MANDATORY) {
    invoice[group].forEach((record, index) => {
      if (!anyOf.some((id) => record[id] !== undefined)) {
        error(rule, `${what} #${index + 1} shall have ${anyOf.map(label).join(' or ')}`);
      }
    });
  }
  invoice.vatBreakdown.forEach((vat, index) => {
    if (vat['BT-119'] === undefined && vat['BT-118'] !== 'O') {
      error('BR-48', `VAT breakdown #${index + 1} shall have a ${label('BT-119')}, unless it is not subject to VAT (O)`);
    }
  });
  if (f['BT-73'] !== undefined && f['BT-74'] !== undefined && f['BT-74'] < f['BT-73']) {
    error('BR-29', `${label('BT-74')} ${f['BT-74']} is before the ${label('BT-73')} ${f['BT-73']}`);
  }
  if (f['BT-81'] !== undefined && CREDIT_TRANSFER.has(f['BT-81']) && f['BT-84'] === undefined) {
    error('BR-61', `A credit transfer (BT-81 = ${f['BT-81']}) shall name the ${label('BT-84')}`);
  }
  for (const { rule, group, what, anyOf } of PRESENT_GROUP_MANDATORY) {
    if (has(group) && !anyOf.some(has)) error(rule, `${what} shall have ${anyOf.join(' or ')}`);
  }
  if (has('BT-7') && has('BT-8')) {
    error('BR-CO-03', `The ${label('BT-7')} and the ${label('BT-8')} are mutually exclusive`);
  }
  if (f['BT-6'] !== undefined && f['BT-111'] === undefined) {
    error('BR-53', `With a ${label('BT-6')}, the ${label('BT-111')} shall be given`);
  }
  if (invoice.vatBreakdown.length === 0) error('BR-CO-18', 'An invoice shall have at least one VAT breakdown (BG-23)');
  const creditNote = invoice.source.ublDocument === 'CreditNote' || CREDIT_NOTE_TYPES.has(f['BT-3'] ?? '');
  if (!creditNote && dec(f['BT-115'])?.greaterThan(0) && f['BT-9'] === undefined && f['BT-20'] === undefined) {
    error('BR-CO-25', `A positive ${label('BT-115')} needs a ${label('BT-9')} or ${label('BT-20')}`);
  }
  if (!has('BT-29') && !has('BT-30') && !has('BT-31')) {
    error(
      'BR-CO-26',
      `The Seller shall be identified by ${['BT-29', 'BT-30', 'BT-31'].map((id) => label(id as TermId)).join(', ')} or more`,
    );
  }

  checkTotals(invoice, error);
  checkVatBreakdown(invoice, error);
  findings.push(...validateVatCategories(invoice));
  checkDecimals(invoice, error);
  return findings;
}

type Report = (rule: string, message: string) => void;

function checkTotals(invoice: Invoice, error: Report): void {
  const f = invoice.fields;
  const expectEqual = (rule: string, id: TermId, expected: Decimal, formula: string, tolerance = ZERO) => {
    const actual = dec(f[id]);
    if (actual === undefined) return;
    if (actual.minus(expected).abs().greaterThan(tolerance)) {
      error(rule, `${label(id)} is ${actual.toFixed()} but ${formula} is ${expected.toFixed()}`);
    }
  };

  // The French EXTENDED-CTC-FR profile lets each line net amount be off by a cent of rounding.
  const lineTolerance = invoice.profileLevel === 'EXTENDED' ? new Decimal('0.01').times(invoice.lines.length) : ZERO;
  expectEqual(
    'BR-CO-10',
    'BT-106',
    round2(sum(invoice.lines.map((l) => l['BT-131']))),
    'the sum of Invoice line net amounts',
    lineTolerance,
  );
  expectEqual('BR-CO-11', 'BT-107', round2(sum(invoice.allowances.map((a) => a['BT-92']))), 'the sum of document level allowances');
  expectEqual('BR-CO-12', 'BT-108', round2(sum(invoice.charges.map((c) => c['BT-99']))), 'the sum of document level charges');
  if (f['BT-106'] !== undefined) {
    const expected = round2(new Decimal(f['BT-106']).minus(f['BT-107'] ?? 0).plus(f['BT-108'] ?? 0));
    expectEqual('BR-CO-13', 'BT-109', expected, 'BT-106 − BT-107 + BT-108');
  }
  if (invoice.vatBreakdown.length > 0) {
    expectEqual('BR-CO-14', 'BT-110', round2(sum(invoice.vatBreakdown.map((v) => v['BT-117']))), 'the sum of VAT category tax amounts');
  }
  if (f['BT-109'] !== undefined) {
    expectEqual('BR-CO-15', 'BT-112', round2(new Decimal(f['BT-109']).plus(f['BT-110'] ?? 0)), 'BT-109 + BT-110');
  }
  if (f['BT-112'] !== undefined) {
    const expected = round2(new Decimal(f['BT-112']).minus(f['BT-113'] ?? 0).plus(f['BT-114'] ?? 0));
    expectEqual('BR-CO-16', 'BT-115', expected, 'BT-112 − BT-113 + BT-114');
  }
}

function checkVatBreakdown(invoice: Invoice, error: Report): void {
  const ONE = new Decimal(1);
  // The official Schematrons differ here: the UBL one accepts a deviation below one unit, the CII
  // one up to one unit inclusive (rounding half away from zero); each syntax is held to its own.
  const beyondTolerance = (deviation: Decimal) =>
    invoice.source.syntax === 'ubl' ? deviation.greaterThanOrEqualTo(ONE) : deviation.greaterThan(ONE);
  for (const vat of invoice.vatBreakdown) {
    const category = vat['BT-118'];
    const base = dec(vat['BT-116']);
    const rate = dec(vat['BT-119']);
    const tax = dec(vat['BT-117']);
    if (base && rate && tax) {
      const expected = base.times(rate).dividedBy(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
      if (beyondTolerance(tax.minus(expected).abs())) {
        error(
          'BR-CO-17',
          `VAT category tax amount (BT-117) ${tax.toFixed()} for ${category ?? '?'} ${rate.toFixed()} % should be ${expected.toFixed()}`,
        );
      }
    }
  }
}

function checkDecimals(invoice: Invoice, error: Report): void {
  const check = (record: TermRecord) => {
    for (const [id, value] of Object.entries(record) as Array<[TermId, string]>) {
      const rule = TWO_DECIMALS[id];
      // Counted as written: "1.500" has three decimals for the Schematron, whatever its value.
      if (rule && (value.split('.')[1]?.length ?? 0) > 2) {
        error(rule, `${label(id)} ${value} has more than two decimals`);
      }
    }
  };
  for (const record of [invoice.fields, ...invoice.allowances, ...invoice.charges, ...invoice.vatBreakdown, ...invoice.lines]) {
    check(record);
  }
}
