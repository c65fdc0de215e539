// FX-NOT-USED: an element or attribute the invoice's Factur-X profile does not use, as the profile's
// Schematron reports it ("… is marked as not used in the given context"). The contexts and tests are
// the artefacts' own XPath, generated into facturx-unused.ts and evaluated here; a context is only
// evaluated when the document has an element of its last step's name, since most never occur.
import type { Element } from '@xmldom/xmldom';
import * as xpath from 'xpath';
import type { Finding } from '../model.ts';
import { NOT_USED, NOT_USED_REPORTS } from './facturx-unused.ts';
import type { OfficialArtefact } from './profile.ts';

/** The prefixes the Factur-X Schematrons use (CII D16B). */
const select = xpath.useNamespaces({
  rsm: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
  qdt: 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
});

interface Report {
  readonly context: string;
  readonly test: string;
  readonly what: string;
  /** The local name of the context's last step. */
  readonly name: string;
}

/** The local name of a pattern's last step, predicates removed. */
function lastStepName(pattern: string): string {
  let depth = 0;
  let plain = '';
  for (const c of pattern) {
    if (c === '[') depth += 1;
    else if (c === ']') depth -= 1;
    else if (depth === 0) plain += c;
  }
  return plain.split('/').at(-1)?.split(':').at(-1) ?? '';
}

const compiled = new Map<OfficialArtefact, readonly Report[]>();

function reportsOf(artefact: OfficialArtefact): readonly Report[] {
  let reports = compiled.get(artefact);
  if (!reports) {
    reports = (NOT_USED[artefact] ?? []).flatMap((i) => {
      const [context, test, what] = NOT_USED_REPORTS[i] ?? [];
      return context === undefined || test === undefined || what === undefined ? [] : [{ context, test, what, name: lastStepName(context) }];
    });
    compiled.set(artefact, reports);
  }
  return reports;
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

export function validateProfileElements(root: Element, artefact: OfficialArtefact | undefined): Finding[] {
  const reports = artefact === undefined ? [] : reportsOf(artefact);
  if (reports.length === 0) return [];
  const names = elementNames(root);
  const findings: Finding[] = [];
  for (const report of reports) {
    if (!names.has(report.name)) continue;
    let nodes: xpath.SelectReturnType;
    try {
      nodes = select(report.context, root as unknown as Node);
    } catch {
      // A pattern in XPath 2.0 the library does not read: the official artefact stays the judge.
      continue;
    }
    if (!Array.isArray(nodes)) continue;
    for (const node of nodes) {
      if (select(`boolean(${report.test})`, node, true) === true) {
        findings.push({ rule: 'FX-NOT-USED', severity: 'error', message: `${report.what} is not used in this Factur-X profile (${report.context.split('/').at(-1) ?? ''})` });
      }
    }
  }
  return findings;
}
