// One reader for every XML syntax: a syntax is a table from business terms to paths (its "syntax
// binding", as EN 16931-3 calls it), and this module turns such a table into normalised records.
import type { Element } from '@xmldom/xmldom';
import { termType, type Finding, type NormalisedInvoice, type Syntax, type TermId, type TermRecord } from '../model.ts';
import { normaliseTerm } from './normalise.ts';
import { compilePath, selectElements, selectValues, type CompiledPath } from './path.ts';

export type TermPaths = Partial<Record<TermId, string>>;

/** The roles of BG-20 and BG-21, which share one XML structure and differ by a charge indicator. */
export type AllowanceChargeRole = 'amount' | 'baseAmount' | 'percentage' | 'vatCategory' | 'vatRate' | 'reason' | 'reasonCode';

const ALLOWANCE_TERMS: Record<AllowanceChargeRole, TermId> = {
  amount: 'BT-92',
  baseAmount: 'BT-93',
  percentage: 'BT-94',
  vatCategory: 'BT-95',
  vatRate: 'BT-96',
  reason: 'BT-97',
  reasonCode: 'BT-98',
};

const CHARGE_TERMS: Record<AllowanceChargeRole, TermId> = {
  amount: 'BT-99',
  baseAmount: 'BT-100',
  percentage: 'BT-101',
  vatCategory: 'BT-102',
  vatRate: 'BT-103',
  reason: 'BT-104',
  reasonCode: 'BT-105',
};

/**
 * Terms whose element may repeat once per currency: the value is the one whose `currencyID` is the
 * currency named by another term (BT-110 in the invoice currency, BT-111 in the VAT accounting one).
 */
const CURRENCY_OF: Partial<Record<TermId, TermId>> = { 'BT-110': 'BT-5', 'BT-111': 'BT-6' };

/** The roles of a party (BG-4 seller, BG-7 buyer), which every syntax writes with one structure. */
export type PartyRole =
  | 'name'
  | 'tradingName'
  | 'identifier'
  | 'legalRegistration'
  | 'vat'
  | 'taxRegistration'
  | 'electronicAddress'
  | 'line1'
  | 'line2'
  | 'line3'
  | 'city'
  | 'postCode'
  | 'subdivision'
  | 'country';

export const SELLER_TERMS: Partial<Record<PartyRole, TermId>> = {
  name: 'BT-27',
  tradingName: 'BT-28',
  identifier: 'BT-29',
  legalRegistration: 'BT-30',
  vat: 'BT-31',
  taxRegistration: 'BT-32',
  electronicAddress: 'BT-34',
  line1: 'BT-35',
  line2: 'BT-36',
  line3: 'BT-162',
  city: 'BT-37',
  postCode: 'BT-38',
  subdivision: 'BT-39',
  country: 'BT-40',
};

export const BUYER_TERMS: Partial<Record<PartyRole, TermId>> = {
  name: 'BT-44',
  tradingName: 'BT-45',
  identifier: 'BT-46',
  legalRegistration: 'BT-47',
  vat: 'BT-48',
  electronicAddress: 'BT-49',
  line1: 'BT-50',
  line2: 'BT-51',
  line3: 'BT-163',
  city: 'BT-52',
  postCode: 'BT-53',
  subdivision: 'BT-54',
  country: 'BT-55',
};

/** The term paths of one party: each role's relative path, prefixed by the party's own path. */
export function partyPaths(party: string, rolePaths: Record<PartyRole, string>, terms: Partial<Record<PartyRole, TermId>>): TermPaths {
  const paths: TermPaths = {};
  for (const [role, id] of Object.entries(terms) as Array<[PartyRole, TermId]>) {
    paths[id] = rolePaths[role]
      .split('|')
      .map((alternative) => `${party}/${alternative.trim()}`)
      .join(' | ');
  }
  return paths;
}

export type PresenceGroup = 'BG-3' | 'BG-5' | 'BG-8' | 'BG-10' | 'BG-11' | 'BG-12' | 'BG-14' | 'BG-15' | 'BG-16';

export interface SyntaxBinding {
  readonly syntax: Syntax;
  /** Paths from the root element. */
  readonly header: TermPaths;
  readonly allowanceCharge: {
    readonly path: string;
    /** Relative path to the `true` (charge) / `false` (allowance) indicator. */
    readonly chargeIndicator: string;
    readonly roles: Record<AllowanceChargeRole, string>;
  };
  readonly notes: {
    readonly path: string;
    readonly terms: TermPaths;
    /** UBL has no element for BT-21: the subject code is written as a `#CODE#` prefix of the note. */
    readonly subjectInPrefix?: boolean;
  };
  readonly vatBreakdown: { readonly path: string; readonly terms: TermPaths };
  readonly lines: { readonly path: string; readonly terms: TermPaths };
  /** Groups whose mere presence a rule checks (BR-08, BR-10, BR-17…BR-20, BR-49, BR-55…BR-57, BR-CO-19). */
  readonly groups: Readonly<Record<PresenceGroup, string>>;
}

type CompiledTerms = ReadonlyArray<readonly [TermId, CompiledPath]>;

export interface CompiledBinding {
  readonly syntax: Syntax;
  readonly header: CompiledTerms;
  readonly allowanceCharge: {
    readonly path: CompiledPath;
    readonly chargeIndicator: CompiledPath;
    readonly roles: ReadonlyArray<readonly [AllowanceChargeRole, CompiledPath]>;
  };
  readonly notes: { readonly path: CompiledPath; readonly terms: CompiledTerms; readonly subjectInPrefix: boolean };
  readonly vatBreakdown: { readonly path: CompiledPath; readonly terms: CompiledTerms };
  readonly lines: { readonly path: CompiledPath; readonly terms: CompiledTerms };
  readonly groups: ReadonlyArray<readonly [string, CompiledPath]>;
}

const compileTerms = (terms: TermPaths): CompiledTerms =>
  Object.entries(terms).map(([id, path]) => [id as TermId, compilePath(path as string)] as const);

export function compileBinding(binding: SyntaxBinding): CompiledBinding {
  return {
    syntax: binding.syntax,
    header: compileTerms(binding.header),
    allowanceCharge: {
      path: compilePath(binding.allowanceCharge.path),
      chargeIndicator: compilePath(binding.allowanceCharge.chargeIndicator),
      roles: Object.entries(binding.allowanceCharge.roles).map(([role, path]) => [role as AllowanceChargeRole, compilePath(path)] as const),
    },
    notes: {
      path: compilePath(binding.notes.path),
      terms: compileTerms(binding.notes.terms),
      subjectInPrefix: binding.notes.subjectInPrefix ?? false,
    },
    vatBreakdown: { path: compilePath(binding.vatBreakdown.path), terms: compileTerms(binding.vatBreakdown.terms) },
    lines: { path: compilePath(binding.lines.path), terms: compileTerms(binding.lines.terms) },
    groups: Object.entries(binding.groups).map(([group, path]) => [group, compilePath(path)] as const),
  };
}

const SUBJECT_PREFIX = /^#([A-Z]{3})#\s*/;

function withSubjectFromPrefix(note: TermRecord): TermRecord {
  const text = note['BT-22'];
  const match = text === undefined ? null : SUBJECT_PREFIX.exec(text);
  return match?.[1] && text !== undefined ? { 'BT-21': match[1], 'BT-22': text.slice(match[0].length) } : note;
}

/** What the XML gives of the normalised invoice, and what the rules need to know of the XML itself. */
export interface XmlInvoiceData extends Pick<NormalisedInvoice, 'fields' | 'notes' | 'allowances' | 'charges' | 'vatBreakdown' | 'lines'> {
  /**
   * Terms and groups whose element is in the XML, even empty or unreadable: the mandatory-term rules
   * (BR-03, BR-08, …) ask whether an element is there, not whether its value could be normalised.
   */
  present: Set<string>;
  findings: Finding[];
}

class RecordReader {
  readonly findings: Finding[] = [];
  readonly present = new Set<string>();

  read(context: Element, terms: CompiledTerms, currencies?: TermRecord): TermRecord {
    const record: TermRecord = {};
    for (const [id, path] of terms) {
      const values = selectValues(context, path);
      const currencyTerm = CURRENCY_OF[id];
      if (currencyTerm === undefined) {
        if (values[0]) this.store(record, id, values[0].text, values[0].element.getAttribute('format'));
        continue;
      }
      const currency = currencies?.[currencyTerm];
      const inCurrency = values.filter((v) => v.element.getAttribute('currencyID') === currency);
      // BT-110 is also read from an amount that names no currency (producers omit the attribute),
      // or from the first amount when the invoice names no currency at all (a fragment).
      const unlabelled = values.find((v) => !v.element.hasAttribute('currencyID'));
      const chosen = inCurrency[0] ?? (id === 'BT-110' ? (unlabelled ?? (currency === undefined ? values[0] : undefined)) : undefined);
      if (chosen) this.store(record, id, chosen.text, null);
      if (inCurrency.length > 1) {
        // Two different totals in one currency leave BT-112 = BT-109 + BT-110 undecidable; the
        // EN 16931 Schematron reports that situation as BR-CO-15.
        this.findings.push({
          rule: 'BR-CO-15',
          severity: 'error',
          message: `${id} is given ${inCurrency.length} times in ${currency ?? 'one currency'}`,
        });
      }
    }
    return record;
  }

  store(record: TermRecord, id: TermId, raw: string, dateFormat: string | null): void {
    const type = termType(id);
    if (type === undefined) return;
    this.present.add(id);
    const result = normaliseTerm(id, type, raw, dateFormat);
    if (result.value !== undefined && result.value !== '') record[id] = result.value;
    if (result.finding) this.findings.push(result.finding);
  }
}

export function readInvoiceXml(root: Element, binding: CompiledBinding): XmlInvoiceData {
  const reader = new RecordReader();
  // Terms chosen by currency are read once the currencies are known, then every term is put back
  // in binding order so that the JSON reads like the invoice.
  const plain = reader.read(
    root,
    binding.header.filter(([id]) => CURRENCY_OF[id] === undefined),
  );
  const byCurrency = reader.read(
    root,
    binding.header.filter(([id]) => CURRENCY_OF[id] !== undefined),
    plain,
  );
  const fields: TermRecord = {};
  for (const [id] of binding.header) {
    const value = plain[id] ?? byCurrency[id];
    if (value !== undefined) fields[id] = value;
  }

  const allowances: TermRecord[] = [];
  const charges: TermRecord[] = [];
  for (const element of selectElements(root, binding.allowanceCharge.path)) {
    const indicator = selectValues(element, binding.allowanceCharge.chargeIndicator)[0]?.text.trim();
    const isCharge = indicator === 'true' || indicator === '1';
    const ids = isCharge ? CHARGE_TERMS : ALLOWANCE_TERMS;
    const record = reader.read(
      element,
      binding.allowanceCharge.roles.map(([role, path]) => [ids[role], path] as const),
    );
    (isCharge ? charges : allowances).push(record);
  }

  const readGroup = (group: CompiledBinding['lines']): TermRecord[] =>
    selectElements(root, group.path).map((element) => reader.read(element, group.terms));
  const notes = readGroup(binding.notes);

  for (const [group, path] of binding.groups) {
    if (selectElements(root, path).length > 0) reader.present.add(group);
  }

  return {
    present: reader.present,
    fields,
    notes: binding.notes.subjectInPrefix ? notes.map(withSubjectFromPrefix) : notes,
    allowances,
    charges,
    vatBreakdown: readGroup(binding.vatBreakdown),
    lines: readGroup(binding.lines),
    findings: reader.findings,
  };
}
