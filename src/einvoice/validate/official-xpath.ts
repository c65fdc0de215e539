// Rules evaluated from the official artefacts' own XPath, generated at development time: the
// Factur-X profiles' "not used in the given context" reports (FX-NOT-USED, facturx-unused.ts) and the
// CEN code-list rules (BR-CL-…, code-list-rules.ts), whose code lists are written in their tests. A
// rule context is only evaluated when the document has an element of its last step's name, since
// most of them never occur.
import type { Element } from '@xmldom/xmldom';
import * as xpath from 'xpath';
import type { Finding, Syntax } from '../model.ts';
import { CODE_LIST_RULES } from './code-list-rules.ts';
import { NOT_USED, NOT_USED_REPORTS } from './facturx-unused.ts';
import type { OfficialArtefact } from './profile.ts';

/** The prefixes each syntax's Schematrons use (the two bind `udt` and `qdt` differently). */
const SELECT: Partial<Record<Syntax, xpath.XPathSelect>> = {
  cii: xpath.useNamespaces({
    rsm: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
    ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
    udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
    qdt: 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
  }),
  ubl: xpath.useNamespaces({
    ubl: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
    cn: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
    cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
    cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  }),
};

interface Rule {
  readonly id: string;
  /** XPath selecting the rule's context nodes from anywhere in the document. */
  readonly context: string;
  readonly test: string;
  readonly message: string;
  /** The local names of the context's last steps: the rule applies only where one occurs. */
  readonly names: readonly string[];
}

/** Splits at `separator` outside brackets and parentheses. */
function splitTop(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '[' || c === '(') depth += 1;
    else if (c === ']' || c === ')') depth -= 1;
    else if (depth === 0 && c === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return [...parts, text.slice(start)].map((part) => part.trim()).filter((part) => part !== '');
}

/** A match pattern as an expression: a relative pattern matches at any depth. */
const contextOf = (pattern: string): string =>
  splitTop(pattern, '|')
    .map((alternative) => (alternative.startsWith('/') ? alternative : `//${alternative}`))
    .join(' | ');

const lastStepNames = (pattern: string): string[] =>
  splitTop(pattern, '|').map((alternative) => {
    const steps = splitTop(alternative.replace(/\[[^\]]*\]/g, ''), '/');
    return steps.at(-1)?.split(':').at(-1) ?? '';
  });

const rule = (id: string, pattern: string, test: string, message: string): Rule => ({
  id,
  context: contextOf(pattern),
  test,
  message,
  names: lastStepNames(pattern),
});

const compiled = new Map<string, readonly Rule[]>();

function rulesOf(key: string, build: () => Rule[]): readonly Rule[] {
  let rules = compiled.get(key);
  if (!rules) {
    rules = build();
    compiled.set(key, rules);
  }
  return rules;
}

function elementNames(root: Element): Set<string> {
  const names = new Set<string>();
  const visit = (element: Element) => {
    names.add(element.localName ?? '');
    for (let node = element.firstChild; node !== null; node = node.nextSibling) if (node.nodeType === 1) visit(node as Element);
  };
  visit(root);
  return names;
}

/**
 * The findings of `rules` on a document: one per context node where the test is false (`fires:
 * 'false'`, an assertion) or true (`'true'`, a report). A context or test in XPath 2.0, which the
 * library does not read, is left to the official artefact.
 */
function evaluate(root: Element, select: xpath.XPathSelect, rules: readonly Rule[], fires: boolean): Finding[] {
  const names = elementNames(root);
  const findings: Finding[] = [];
  for (const r of rules) {
    if (!r.names.some((name) => names.has(name))) continue;
    try {
      const nodes = select(r.context, root as unknown as Node);
      if (!Array.isArray(nodes)) continue;
      for (const node of nodes) {
        if ((select(`boolean(${r.test})`, node, true) === true) === fires) findings.push({ rule: r.id, severity: 'error', message: r.message });
      }
    } catch {
      continue;
    }
  }
  return findings;
}

/** FX-NOT-USED: what the invoice's Factur-X profile does not use. */
export function validateProfileElements(root: Element, artefact: OfficialArtefact | undefined): Finding[] {
  const select = SELECT.cii;
  const indexes = artefact === undefined ? undefined : NOT_USED[artefact];
  if (!select || !artefact || !indexes) return [];
  const rules = rulesOf(artefact, () =>
    indexes.flatMap((i) => {
      const [pattern, test, what] = NOT_USED_REPORTS[i] ?? [];
      if (pattern === undefined || test === undefined || what === undefined) return [];
      return [rule('FX-NOT-USED', pattern, test, `${what} is not used in this Factur-X profile (${pattern.split('/').at(-1) ?? ''})`)];
    }),
  );
  return evaluate(root, select, rules, true);
}

/** BR-CL-…: codes from the code lists EN 16931 names, checked with the CEN artefact of the syntax. */
export function validateCodeLists(root: Element, syntax: Syntax): Finding[] {
  const select = SELECT[syntax];
  const artefact = syntax === 'ubl' ? 'cen-ubl' : 'cen-cii';
  const source = CODE_LIST_RULES[artefact];
  if (!select || !source || syntax === 'zugferd1') return [];
  const rules = rulesOf(artefact, () =>
    source.map(([id, pattern, test]) => rule(id, pattern, test, `A code in ${pattern.split('/').at(-1) ?? pattern} is not in the code list ${id} names`)),
  );
  return evaluate(root, select, rules, false);
}
