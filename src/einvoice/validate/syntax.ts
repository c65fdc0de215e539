// Syntax rules of the official artefacts (UBL-DT-…, CII-DT-…), which judge the XML as written rather
// than the business terms read from it, so they walk the document itself.
import type { Element } from '@xmldom/xmldom';
import type { Finding, Syntax } from '../model.ts';

const UBL_CAC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2';

function* descendants(element: Element): Generator<Element> {
  for (let node = element.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === 1) {
      yield node as Element;
      yield* descendants(node as Element);
    }
  }
}

/** Inside a price's allowance (cac:Price/cac:AllowanceCharge), where UBL-DT-01 allows more decimals. */
function inPriceAllowance(element: Element): boolean {
  for (let node = element.parentNode; node !== null && node.nodeType === 1; node = node.parentNode) {
    const parent = node.parentNode as Element | null;
    if ((node as Element).localName === 'AllowanceCharge' && (node as Element).namespaceURI === UBL_CAC && parent?.localName === 'Price' && parent.namespaceURI === UBL_CAC) {
      return true;
    }
  }
  return false;
}

/** UBL-DT-01: every amount element (but prices and a price's allowance) has at most two decimals. */
function ublAmountDecimals(root: Element): Finding[] {
  const findings: Finding[] = [];
  for (const element of descendants(root)) {
    const name = element.localName ?? '';
    if (!name.endsWith('Amount') || name.endsWith('PriceAmount') || inPriceAllowance(element)) continue;
    const text = element.textContent ?? '';
    if ((text.split('.')[1]?.length ?? 0) > 2) {
      findings.push({ rule: 'UBL-DT-01', severity: 'error', message: `The amount ${name} "${text.trim()}" has more than two decimals` });
    }
  }
  return findings;
}

export function validateSyntax(root: Element, syntax: Syntax): Finding[] {
  return syntax === 'ubl' ? ublAmountDecimals(root) : [];
}
