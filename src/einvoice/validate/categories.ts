// The EN 16931 rules of each VAT category (BR-S-…, BR-Z-…, BR-E-…, BR-AE-…, BR-IC-…, BR-G-…,
// BR-O-…, BR-AF-…, BR-AG-…). The ten rules of a category follow one pattern, so they are one table
// of what differs (which breakdowns are expected, which identifiers, which rates, which exemption
// reasons) and one function, rather than ninety near-copies.
import { Decimal } from 'decimal.js';
import { TERMS, type Finding, type NormalisedInvoice, type Syntax, type TermId, type TermRecord } from '../model.ts';

type Invoice = Pick<NormalisedInvoice, 'fields' | 'allowances' | 'charges' | 'vatBreakdown' | 'lines' | 'source'>;

interface Category {
  /** BT-118 / BT-151 / BT-95 / BT-102 value (UNTDID 5305). */
  readonly code: string;
  /** Rule id prefix: `BR-S`, `BR-IC`, … */
  readonly prefix: string;
  readonly name: string;
  /** -01: the breakdowns a use of the category requires. */
  readonly breakdowns: 'at least one' | 'exactly one';
  /** -02…-04: at least one of these Seller terms must be present ('none' for O: none of them may be). */
  readonly sellerIds: readonly TermId[];
  /** -02…-04: and one of these Buyer terms (reverse charge, intra-community supply). */
  readonly buyerIds?: readonly TermId[];
  /** -05…-07: the rate of lines, allowances and charges. */
  readonly rate: 'positive' | 'zero' | 'absent' | 'zero or positive';
  /** -08: the breakdown base is summed per rate, or per category. */
  readonly baseByRate: boolean;
  /** -09: the breakdown tax is base × rate, or zero. */
  readonly tax: 'computed' | 'zero';
  /** -10: exemption reasons forbidden, or required (any, or a given VATEX code / text). */
  readonly exemption: 'forbidden' | 'required' | { readonly code: string; readonly text: string };
}

const SELLER_VAT_IDS: readonly TermId[] = ['BT-31', 'BT-32', 'BT-63'];
const SELLER_VAT_ONLY: readonly TermId[] = ['BT-31', 'BT-63'];

const CATEGORIES: readonly Category[] = [
  {
    code: 'S',
    prefix: 'BR-S',
    name: 'Standard rated',
    breakdowns: 'at least one',
    sellerIds: SELLER_VAT_IDS,
    rate: 'positive',
    baseByRate: true,
    tax: 'computed',
    exemption: 'forbidden',
  },
  {
    code: 'Z',
    prefix: 'BR-Z',
    name: 'Zero rated',
    breakdowns: 'exactly one',
    sellerIds: SELLER_VAT_IDS,
    rate: 'zero',
    baseByRate: false,
    tax: 'zero',
    exemption: 'forbidden',
  },
  {
    code: 'E',
    prefix: 'BR-E',
    name: 'Exempt from VAT',
    breakdowns: 'exactly one',
    sellerIds: SELLER_VAT_IDS,
    rate: 'zero',
    baseByRate: false,
    tax: 'zero',
    exemption: 'required',
  },
  {
    code: 'AE',
    prefix: 'BR-AE',
    name: 'Reverse charge',
    breakdowns: 'exactly one',
    sellerIds: SELLER_VAT_IDS,
    buyerIds: ['BT-48', 'BT-47'],
    rate: 'zero',
    baseByRate: false,
    tax: 'zero',
    exemption: { code: 'VATEX-EU-AE', text: 'Reverse charge' },
  },
  {
    code: 'K',
    prefix: 'BR-IC',
    name: 'Intra-community supply',
    breakdowns: 'exactly one',
    sellerIds: SELLER_VAT_ONLY,
    buyerIds: ['BT-48'],
    rate: 'zero',
    baseByRate: false,
    tax: 'zero',
    exemption: { code: 'VATEX-EU-IC', text: 'Intra-Community supply' },
  },
  {
    code: 'G',
    prefix: 'BR-G',
    name: 'Export outside the EU',
    breakdowns: 'exactly one',
    sellerIds: SELLER_VAT_ONLY,
    rate: 'zero',
    baseByRate: false,
    tax: 'zero',
    exemption: { code: 'VATEX-EU-G', text: 'Export outside the EU' },
  },
  {
    code: 'O',
    prefix: 'BR-O',
    name: 'Not subject to VAT',
    breakdowns: 'exactly one',
    sellerIds: [],
    rate: 'absent',
    baseByRate: false,
    tax: 'zero',
    exemption: { code: 'VATEX-EU-O', text: 'Not subject to VAT' },
  },
  {
    code: 'L',
    prefix: 'BR-AF',
    name: 'IGIC (Canary Islands)',
    breakdowns: 'at least one',
    sellerIds: SELLER_VAT_IDS,
    rate: 'zero or positive',
    baseByRate: true,
    tax: 'computed',
    exemption: 'forbidden',
  },
  {
    code: 'M',
    prefix: 'BR-AG',
    name: 'IPSI (Ceuta and Melilla)',
    breakdowns: 'at least one',
    sellerIds: SELLER_VAT_IDS,
    rate: 'zero or positive',
    baseByRate: true,
    tax: 'computed',
    exemption: 'forbidden',
  },
];

/** The three places a category is used, with their category and rate terms and rule numbers. */
const USES = [
  { group: 'lines', what: 'Invoice line', category: 'BT-151', rate: 'BT-152', idsRule: '02', rateRule: '05' },
  { group: 'allowances', what: 'Document level allowance', category: 'BT-95', rate: 'BT-96', idsRule: '03', rateRule: '06' },
  { group: 'charges', what: 'Document level charge', category: 'BT-102', rate: 'BT-103', idsRule: '04', rateRule: '07' },
] as const satisfies ReadonlyArray<{
  group: 'lines' | 'allowances' | 'charges';
  what: string;
  category: TermId;
  rate: TermId;
  idsRule: string;
  rateRule: string;
}>;

const NOT_SUBJECT = 'O';

export const VAT_CATEGORY_RULES: readonly string[] = [
  ...CATEGORIES.flatMap(({ prefix }) => ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'].map((n) => `${prefix}-${n}`)),
  'BR-IC-11',
  'BR-IC-12',
  'BR-O-11',
  'BR-O-12',
  'BR-O-13',
  'BR-O-14',
];

const ONE = new Decimal(1);
const sum = (values: Array<string | undefined>) => values.reduce((total, v) => (v === undefined ? total : total.plus(v)), new Decimal(0));
const round2 = (value: Decimal) => value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
const label = (id: TermId) => `${TERMS[id].name} (${id})`;

/**
 * -01 as each official Schematron writes it. It is checked both ways (a breakdown of a category
 * nothing uses fails too) except for CII's S, L and M. CII wants the breakdown used by a line,
 * an allowance or a charge (for O, only a breakdown needs its use); UBL counts the breakdown's own
 * category as a use, so one breakdown suffices there.
 */
function breakdownsMatchUses(c: Category, uses: number, breakdowns: number, syntax: Syntax | undefined): boolean {
  if (c.breakdowns === 'at least one') return syntax === 'ubl' ? uses > 0 === breakdowns > 0 : uses === 0 || breakdowns > 0;
  if (syntax === 'ubl') return breakdowns === 1 || (uses === 0 && breakdowns === 0);
  if (c.code === NOT_SUBJECT) return breakdowns === 0 || (breakdowns === 1 && uses > 0);
  return (uses === 0 && breakdowns === 0) || (breakdowns === 1 && uses > 0);
}

export function validateVatCategories(invoice: Invoice): Finding[] {
  const findings: Finding[] = [];
  const error: Report = (rule, message, values) => findings.push({ rule, severity: 'error', message, ...(values ? { values } : {}) });
  const f = invoice.fields;

  for (const c of CATEGORIES) {
    const uses = USES.flatMap((use) => invoice[use.group].filter((r) => r[use.category] === c.code).map((record) => ({ use, record })));
    const breakdowns = invoice.vatBreakdown.filter((vat) => vat['BT-118'] === c.code);

    // -01
    if (!breakdownsMatchUses(c, uses.length, breakdowns.length, invoice.source.syntax)) {
      error(
        `${c.prefix}-01`,
        `An invoice using the category ${c.name} (${c.code}) shall have ${c.breakdowns} VAT breakdown of that category, and a breakdown of it only when it is used`,
      );
    }

    for (const { use, record } of uses) {
      // -02…-04
      const sellerOk =
        c.code === NOT_SUBJECT
          ? !['BT-31', 'BT-63', 'BT-48'].some((id) => f[id as TermId] !== undefined)
          : c.sellerIds.some((id) => f[id] !== undefined);
      const buyerOk = c.buyerIds === undefined || c.buyerIds.some((id) => f[id] !== undefined);
      if (!sellerOk || !buyerOk) {
        const required =
          c.code === NOT_SUBJECT
            ? `shall not have a ${['BT-31', 'BT-63', 'BT-48'].map((id) => label(id as TermId)).join(', ')}`
            : `needs ${c.sellerIds.map(label).join(' or ')}${c.buyerIds ? `, and ${c.buyerIds.map(label).join(' or ')}` : ''}`;
        error(`${c.prefix}-${use.idsRule}`, `An invoice with a ${use.what} of category ${c.name} (${c.code}) ${required}`);
      }
      // -05…-07
      const rate = record[use.rate];
      const rateOk =
        c.rate === 'absent'
          ? rate === undefined
          : rate !== undefined &&
            (c.rate === 'positive'
              ? new Decimal(rate).greaterThan(0)
              : c.rate === 'zero'
                ? new Decimal(rate).isZero()
                : !new Decimal(rate).isNegative());
      if (!rateOk) {
        error(
          `${c.prefix}-${use.rateRule}`,
          `A ${use.what} of category ${c.name} (${c.code}) shall have ${c.rate === 'absent' ? 'no' : `a ${c.rate}`} ${label(use.rate)}${rate === undefined ? '' : `, not ${rate}`}`,
          rate === undefined ? undefined : { rate },
        );
      }
    }

    for (const vat of breakdowns) {
      checkBreakdown(invoice, c, vat, error);
    }
  }

  if (invoice.vatBreakdown.some((vat) => vat['BT-118'] === NOT_SUBJECT)) {
    if (invoice.vatBreakdown.some((vat) => vat['BT-118'] !== NOT_SUBJECT)) {
      error('BR-O-11', 'An invoice with a VAT breakdown Not subject to VAT (O) shall have no other VAT breakdown');
    }
    for (const [rule, use] of [
      ['BR-O-12', USES[0]],
      ['BR-O-13', USES[1]],
      ['BR-O-14', USES[2]],
    ] as const) {
      if (invoice[use.group].some((r) => r[use.category] !== NOT_SUBJECT)) {
        error(rule, `An invoice with a VAT breakdown Not subject to VAT (O) shall have no ${use.what} of another category`);
      }
    }
  }

  const intraCommunity = invoice.vatBreakdown.some((vat) => vat['BT-118'] === 'K');
  if (intraCommunity && f['BT-72'] === undefined && f['BT-73'] === undefined && f['BT-74'] === undefined) {
    error('BR-IC-11', `An intra-community supply shall have an ${label('BT-72')} or an invoicing period`);
  }
  if (intraCommunity && f['BT-80'] === undefined) {
    error('BR-IC-12', `An intra-community supply shall have a ${label('BT-80')}`);
  }
  return findings;
}

type Report = (rule: string, message: string, values?: Record<string, string>) => void;

function checkBreakdown(invoice: Invoice, c: Category, vat: TermRecord, error: Report): void {
  const base = vat['BT-116'];
  const rate = vat['BT-119'];
  const tax = vat['BT-117'];
  const which = `The VAT breakdown ${c.name} (${c.code})${c.baseByRate && rate !== undefined ? ` at ${rate} %` : ''}`;

  // -08: the base is what the lines, charges and allowances of that category (and rate) add up to.
  if (base !== undefined) {
    const matches = (category: string | undefined, r: string | undefined) =>
      category === c.code && (!c.baseByRate || (r !== undefined && rate !== undefined && new Decimal(r).equals(rate)));
    const [lines, allowances, charges] = USES.map((use) => invoice[use.group].filter((r) => matches(r[use.category], r[use.rate])));
    const expected = sum((lines ?? []).map((l) => l['BT-131']))
      .plus(sum((charges ?? []).map((ch) => ch['BT-99'])))
      .minus(sum((allowances ?? []).map((a) => a['BT-92'])));
    const used = (lines?.length ?? 0) + (allowances?.length ?? 0) + (charges?.length ?? 0) > 0;
    if (!used || new Decimal(base).minus(expected).abs().greaterThanOrEqualTo(ONE)) {
      error(
        `${c.prefix}-08`,
        `${which} has a taxable amount (BT-116) of ${base}; its lines, charges and allowances add up to ${expected.toFixed()}`,
        { actual: base, expected: expected.toFixed(), ...(rate === undefined ? {} : { rate }) },
      );
    }
  }

  // -09: the tax is base × rate, or nothing.
  if (tax !== undefined) {
    const expected =
      c.tax === 'zero'
        ? new Decimal(0)
        : base !== undefined && rate !== undefined
          ? round2(new Decimal(base).abs().times(rate).dividedBy(100))
          : undefined;
    const actual = c.tax === 'zero' ? new Decimal(tax) : new Decimal(tax).abs();
    const wrong = expected !== undefined && (c.tax === 'zero' ? !actual.isZero() : actual.minus(expected).abs().greaterThanOrEqualTo(ONE));
    if (wrong && expected !== undefined) {
      error(`${c.prefix}-09`, `${which} has a tax amount (BT-117) of ${tax}; it should be ${expected.toFixed()}`, {
        actual: tax,
        expected: expected.toFixed(),
      });
    }
  }

  // -10: exemption reasons.
  const reasonCode = vat['BT-121'];
  const reasonText = vat['BT-120'];
  if (c.exemption === 'forbidden' && (reasonCode !== undefined || reasonText !== undefined)) {
    error(`${c.prefix}-10`, `${which} shall not have a VAT exemption reason (BT-120, BT-121)`);
  } else if (c.exemption === 'required' && reasonCode === undefined && reasonText === undefined) {
    error(`${c.prefix}-10`, `${which} shall have a VAT exemption reason (BT-120 or BT-121)`);
  } else if (typeof c.exemption === 'object' && reasonCode === undefined && reasonText === undefined) {
    error(`${c.prefix}-10`, `${which} shall have the exemption reason code ${c.exemption.code} or the text "${c.exemption.text}"`);
  }
}
