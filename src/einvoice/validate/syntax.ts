// Rules of the official artefacts that judge the XML as written rather than the business terms read
// from it (UBL-DT-…, an identifier's scheme attribute, which of two elements carries BT-84), so they
// walk the document itself, matching elements by namespace and local name.
import type { Element } from '@xmldom/xmldom';
import type { Finding, Syntax } from '../model.ts';

const UBL_CAC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2';
const UBL_CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2';
const RAM = 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100';

/** The child elements of `element` at the end of a path of [namespace, local name] steps. */
function children(element: Element, ...path: ReadonlyArray<readonly [string, string]>): Element[] {
  let current = [element];
  for (const [namespace, name] of path) {
    current = current.flatMap((parent) => {
      const found: Element[] = [];
      for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
        if (node.nodeType === 1 && (node as Element).localName === name && (node as Element).namespaceURI === namespace)
          found.push(node as Element);
      }
      return found;
    });
  }
  return current;
}

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
    if (
      (node as Element).localName === 'AllowanceCharge' &&
      (node as Element).namespaceURI === UBL_CAC &&
      parent?.localName === 'Price' &&
      parent.namespaceURI === UBL_CAC
    ) {
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
      findings.push({
        rule: 'UBL-DT-01',
        severity: 'error',
        message: `The amount ${name} "${text.trim()}" has more than two decimals`,
        values: { element: name, value: text.trim() },
      });
    }
  }
  return findings;
}

const schemeless = (ids: readonly Element[]): Finding[] =>
  ids
    .filter((id) => (id.getAttribute('schemeID') ?? '').trim() === '')
    .map((id) => ({
      rule: 'BR-64',
      severity: 'error',
      message: `The Item standard identifier (BT-157) "${(id.textContent ?? '').trim()}" shall have a scheme identifier`,
    }));

/** BR-64: an item standard identifier (BT-157) names its scheme. */
function itemSchemes(root: Element, syntax: Syntax): Finding[] {
  if (syntax === 'ubl') {
    const lines = [...children(root, [UBL_CAC, 'InvoiceLine']), ...children(root, [UBL_CAC, 'CreditNoteLine'])];
    return schemeless(lines.flatMap((line) => children(line, [UBL_CAC, 'Item'], [UBL_CAC, 'StandardItemIdentification'], [UBL_CBC, 'ID'])));
  }
  const transaction = root.getElementsByTagNameNS(RAM, 'IncludedSupplyChainTradeLineItem');
  return schemeless(Array.from(transaction).flatMap((line) => children(line, [RAM, 'SpecifiedTradeProduct'], [RAM, 'GlobalID'])));
}

/** BR-CO-27 (Factur-X): a credit transfer names its account by IBAN or by a proprietary id, not both. */
function ciiTransferAccount(root: Element): Finding[] {
  return Array.from(root.getElementsByTagNameNS(RAM, 'SpecifiedTradeSettlementPaymentMeans'))
    .filter((means) => children(means, [RAM, 'TypeCode']).some((code) => ['30', '58'].includes((code.textContent ?? '').trim())))
    .filter((means) => {
      const has = (name: string) => children(means, [RAM, 'PayeePartyCreditorFinancialAccount'], [RAM, name]).length > 0;
      return has('IBANID') === has('ProprietaryID');
    })
    .map(() => ({
      rule: 'BR-CO-27',
      severity: 'error',
      message: 'A credit transfer shall name its Payment account identifier (BT-84) as an IBAN or a proprietary id: one of the two',
    }));
}

export function validateSyntax(root: Element, syntax: Syntax): Finding[] {
  if (syntax === 'ubl') return [...ublAmountDecimals(root), ...itemSchemes(root, syntax)];
  if (syntax === 'cii') return [...itemSchemes(root, syntax), ...ciiTransferAccount(root)];
  return [];
}
