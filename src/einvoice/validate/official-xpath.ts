// Rules evaluated from the official artefacts' own XPath, generated at development time: the
// Factur-X profiles' "not used in the given context" reports (FX-NOT-USED, facturx-unused.ts) and the
// CEN code-list rules (BR-CL-…, code-list-rules.ts), whose code lists are written in their tests.
// The document is walked once; an element is tried against the rules whose context ends with its
// name, each context turned into a test of that element (`self::c[…]/parent::b/parent::a`), and
// every expression is parsed once.
import type { Element } from '@xmldom/xmldom';
import xpath from 'xpath';
import type { Finding, Syntax } from '../model.ts';
import { CODE_LIST_RULES } from './code-list-rules.ts';
import { NOT_USED, NOT_USED_REPORTS } from './facturx-unused.ts';
import type { OfficialArtefact } from './profile.ts';

/** The prefixes each syntax's Schematrons use (the two bind `udt` and `qdt` differently). */
const NAMESPACES: Partial<Record<Syntax, Record<string, string>>> = {
  cii: {
    rsm: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
    ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
    udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
    qdt: 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
  },
  ubl: {
    ubl: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
    cn: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
    cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
    cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  },
};

/** The part of the xpath package's API used here (its parse() is not in its type declarations). */
interface Parsed {
  evaluateBoolean(options: { node: Node; namespaces: Record<string, string> }): boolean;
}
const parse = (xpath as unknown as { parse(expression: string): Parsed }).parse;

interface Alternative {
  /** The local name of the step before the last, when there is one: a cheap first check. */
  readonly parent?: string;
  /** An attribute the last step requires (`ram:ID[@schemeID]`): another. */
  readonly attribute?: string;
  /** True when the element matches the alternative. */
  readonly match: Parsed;
}

/** A test of one element: the parsed XPath, or the same decision taken natively. */
type Test = (element: Element, node: Node, namespaces: Record<string, string>) => boolean;

interface Rule {
  readonly id: string;
  readonly alternatives: readonly Alternative[];
  readonly test: Test;
  readonly message: string;
  /** The attribute the test reads (`@currencyID`), or undefined for the element's text: the value a finding names. */
  readonly subject?: string;
}

/**
 * Most code-list tests have one form, `not(contains(normalize-space(X), ' ')) and contains(' CODES ',
 * concat(' ', normalize-space(X), ' '))`: a one-word value among the codes. That form is decided
 * with a set, the same way; any other test goes to the XPath library.
 */
const CODE_LIST_TEST =
  /^\(\(not\(contains\(normalize-space\((\.|@[\w-]+)\), ' '\)\) and contains\(' ([^']*) ', concat\(' ', normalize-space\(\1\), ' '\)\)\)\)$/;

function compileTest(test: string): Test {
  const form = CODE_LIST_TEST.exec(test);
  if (form) {
    const [, subject = '.', list = ''] = form;
    const codes = new Set(list.split(' '));
    const attribute = subject === '.' ? undefined : subject.slice(1);
    return (element) => {
      const value = ((attribute === undefined ? element.textContent : element.getAttribute(attribute)) ?? '')
        .replace(/[ \t\r\n]+/g, ' ')
        .trim();
      return !value.includes(' ') && codes.has(value);
    };
  }
  const parsed = parse(`boolean(${test})`);
  return (_, node, namespaces) => parsed.evaluateBoolean({ node, namespaces });
}

/** Splits at `separator` outside brackets, parentheses and quotes. */
function splitTop(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] ?? '';
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') depth += 1;
    else if (c === ']' || c === ')') depth -= 1;
    else if (depth === 0 && c === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return [...parts, text.slice(start)].map((part) => part.trim()).filter((part) => part !== '');
}

const localName = (step: string | undefined): string | undefined => step?.replace(/\[.*$/, '').split(':').at(-1);

/** A pattern's alternatives, each as [the local name of its last step, its steps]. */
const alternatives = (pattern: string): Array<[string, string[]]> =>
  splitTop(pattern, '|').map((alternative) => {
    const steps = splitTop(alternative, '/');
    return [localName(steps.at(-1)) ?? '', steps];
  });

/** A step list as a test of the element it ends on: `a/b[p]/c` is `self::c/parent::b[p]/parent::a`. */
const matchOf = (steps: readonly string[]): string =>
  `boolean(${[...steps]
    .reverse()
    .map((step, i) => `${i === 0 ? 'self' : 'parent'}::${step}`)
    .join('/')})`;

/** Rules indexed by the local name their context ends with; a rule the library cannot parse is left to the artefact. */
function index(sources: ReadonlyArray<readonly [string, string, string, string]>): Map<string, Rule[]> {
  const byName = new Map<string, Rule[]>();
  for (const [id, pattern, test, message] of sources) {
    const alts = alternatives(pattern);
    let rule: Rule;
    try {
      const compiledAlternatives = alts.map(([, steps]): Alternative => {
        const parent = steps.length > 1 ? localName(steps.at(-2)) : undefined;
        const attribute = /^[^[]*\[@([\w-]+)\]/.exec(steps.at(-1) ?? '')?.[1];
        return {
          ...(parent === undefined || parent === '*' ? {} : { parent }),
          ...(attribute === undefined ? {} : { attribute }),
          match: parse(matchOf(steps)),
        };
      });
      const subject = /^\(*(?:not\()?contains\(normalize-space\(@([\w-]+)\)/.exec(test)?.[1];
      rule = { id, alternatives: compiledAlternatives, test: compileTest(test), message, ...(subject === undefined ? {} : { subject }) };
    } catch {
      continue;
    }
    for (const name of new Set(alts.map(([name]) => name))) byName.set(name, [...(byName.get(name) ?? []), rule]);
  }
  return byName;
}

const compiled = new Map<string, Map<string, Rule[]>>();

function rulesOf(key: string, build: () => ReadonlyArray<readonly [string, string, string, string]>): Map<string, Rule[]> {
  let rules = compiled.get(key);
  if (!rules) {
    rules = index(build());
    compiled.set(key, rules);
  }
  return rules;
}

/**
 * One finding per element a rule's context matches where the test is false (`fires: false`, an
 * assertion) or true (`true`, a report).
 */
function evaluate(root: Element, namespaces: Record<string, string>, rules: Map<string, Rule[]>, fires: boolean): Finding[] {
  const findings: Finding[] = [];
  const visit = (element: Element) => {
    const parent = (element.parentNode as Element | null)?.localName;
    for (const r of rules.get(element.localName ?? '') ?? []) {
      const node = element as unknown as Node;
      const matches = (a: Alternative) =>
        (a.parent === undefined || a.parent === parent) &&
        (a.attribute === undefined || element.hasAttribute(a.attribute)) &&
        a.match.evaluateBoolean({ node, namespaces });
      try {
        if (r.alternatives.some(matches) && r.test(element, node, namespaces) === fires) {
          const value = (r.subject === undefined ? element.textContent : element.getAttribute(r.subject)) ?? '';
          findings.push({
            rule: r.id,
            severity: 'error',
            message: r.message,
            values: { element: element.localName ?? '', value: value.trim() },
          });
        }
      } catch {
        // An expression the library cannot evaluate: the official artefact stays the judge.
      }
    }
    for (let child = element.firstChild; child !== null; child = child.nextSibling) if (child.nodeType === 1) visit(child as Element);
  };
  visit(root);
  return findings;
}

/** FX-NOT-USED: what the invoice's Factur-X profile does not use. */
export function validateProfileElements(root: Element, artefact: OfficialArtefact | undefined): Finding[] {
  const namespaces = NAMESPACES.cii;
  const indexes = artefact === undefined ? undefined : NOT_USED[artefact];
  if (!namespaces || !artefact || !indexes) return [];
  const rules = rulesOf(artefact, () =>
    indexes.flatMap((i) => {
      const [pattern, test, what] = NOT_USED_REPORTS[i] ?? [];
      if (pattern === undefined || test === undefined || what === undefined) return [];
      return [['FX-NOT-USED', pattern, test, `${what} is not used in this Factur-X profile (${pattern.split('/').at(-1) ?? ''})`] as const];
    }),
  );
  return evaluate(root, namespaces, rules, true);
}

/** BR-CL-…: codes from the code lists EN 16931 names, checked with the CEN artefact of the syntax. */
export function validateCodeLists(root: Element, syntax: Syntax): Finding[] {
  const namespaces = NAMESPACES[syntax];
  const artefact = syntax === 'ubl' ? 'cen-ubl' : 'cen-cii';
  const source = CODE_LIST_RULES[artefact];
  if (!namespaces || !source) return [];
  const rules = rulesOf(artefact, () =>
    source.map(
      ([id, pattern, test]) =>
        [id, pattern, test, `A code in ${pattern.split('/').at(-1) ?? pattern} is not in the code list ${id} names`] as const,
    ),
  );
  return evaluate(root, namespaces, rules, false);
}
