// Detection by content, never by file name or media type: the first bytes tell the container, and
// for XML the root element and its namespace tell the syntax.
import type { Element } from '@xmldom/xmldom';
import { InvoiceError, type InvoiceErrorCode } from './errors.ts';
import { CII_NAMESPACE_STEM, ZUGFERD1_NAMESPACE_STEM, ZUGFERD1_RC_NAMESPACE } from './xml/cii.ts';
import { UBL_CREDIT_NOTE_NAMESPACE, UBL_INVOICE_NAMESPACE } from './xml/ubl.ts';
import type { Syntax } from './model.ts';

export type Container = 'pdf' | 'xml' | 'image' | 'text';

/**
 * What a file is, in the words of the corpus labels: a hybrid PDF (Factur-X, ZUGFeRD 2, XRechnung
 * inside a PDF), ZUGFeRD 1.0 (PDF or XML), bare CII or UBL XML, a plain PDF, an image, text.
 */
export type InvoiceKind = 'hybrid-pdf' | 'zugferd1' | 'cii' | 'ubl' | 'plain-pdf' | 'image' | 'text';

export interface Detection {
  readonly kind: InvoiceKind;
  readonly container: Container;
  /** Set when the data comes from XML (a file or a PDF attachment). */
  readonly syntax?: Syntax;
  /** The embedded file the XML was read from, for a PDF. */
  readonly attachment?: string;
  readonly mediaType: string;
}

const IMAGE_SIGNATURES: ReadonlyArray<readonly [string, (b: Uint8Array) => boolean]> = [
  ['image/png', (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47],
  ['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  [
    'image/tiff',
    (b) =>
      (b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a),
  ],
  ['image/webp', (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP'],
  ['image/gif', (b) => ascii(b, 0, 4) === 'GIF8'],
];

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

/** The container and media type from the first bytes; throws for anything Facteur does not read. */
export function sniffContainer(bytes: Uint8Array): { container: Container; mediaType: string } {
  if (bytes.byteLength === 0) throw new InvoiceError('EMPTY_FILE', 'The file is empty');
  const pdf = { container: 'pdf', mediaType: 'application/pdf' } as const;
  if (ascii(bytes, 0, 5) === '%PDF-') return pdf;
  for (const [mediaType, matches] of IMAGE_SIGNATURES) {
    if (matches(bytes)) return { container: 'image', mediaType };
  }
  if (looksLikeXml(bytes)) return { container: 'xml', mediaType: 'application/xml' };
  // The PDF header may follow some junk; readers look for it in the first kilobyte.
  if (ascii(bytes, 0, 1024).includes('%PDF-')) return pdf;
  // A UN/EDIFACT interchange (service string advice UNA, then UNB) is a format, not text to read.
  if (/^\s*(UNA.{6}\s*)?UNB\+/.test(ascii(bytes, 0, 64))) {
    throw new InvoiceError('UNSUPPORTED_FORMAT', 'UN/EDIFACT is not read; Facteur reads Factur-X/ZUGFeRD, CII and UBL');
  }
  // An invoice pasted as text (an e-mail body, a text export) goes to the text path.
  if (looksLikeText(bytes)) return { container: 'text', mediaType: 'text/plain' };
  throw new InvoiceError('UNSUPPORTED_FORMAT', 'The file is neither a PDF, an XML document, an image nor text');
}

function looksLikeXml(bytes: Uint8Array): boolean {
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) return true;
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i += 1;
  return bytes[i] === 0x3c; // '<'
}

/** UTF-8 (or ASCII) without control characters other than layout ones, judged on the first 4 KiB. */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 4096);
  let text: string;
  try {
    // A multi-byte character cut at the 4 KiB boundary is not a reason to call the file binary.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head.length === bytes.length ? head : head.subarray(0, head.length - 3));
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text);
}

const ORDER_X_ROOT = 'SCRDMCCBDACIOMessageStructure';

export function isOrderX(root: Element): boolean {
  return root.localName === ORDER_X_ROOT;
}

/** Well-known XML documents that are not invoices Facteur reads, with the reason given to the user. */
const REFUSED_ROOTS: ReadonlyArray<{
  readonly test: (ns: string, name: string) => boolean;
  readonly code: InvoiceErrorCode;
  readonly reason: string;
}> = [
  {
    test: (ns, name) => name === 'FatturaElettronica' || ns.includes('agenziaentrate.gov.it'),
    code: 'UNSUPPORTED_FORMAT',
    reason: 'FatturaPA (the Italian SDI format) is not read; Facteur reads Factur-X/ZUGFeRD, CII and UBL',
  },
  {
    // UN/EDIFACT messages written as XML: the INVOIC message root, or an interchange in an EDIFACT namespace.
    test: (ns, name) => /^(M_)?INVOIC$/.test(name) || /edifact/i.test(ns),
    code: 'UNSUPPORTED_FORMAT',
    reason: 'UN/EDIFACT (as XML) is not read; Facteur reads Factur-X/ZUGFeRD, CII and UBL',
  },
  { test: (_, name) => name === ORDER_X_ROOT, code: 'NOT_AN_INVOICE', reason: 'This is an Order-X purchase order, not an invoice' },
  {
    test: (ns) => ns.startsWith('urn:oasis:names:specification:ubl:schema:xsd:'),
    code: 'NOT_AN_INVOICE',
    reason: 'This UBL document is not an Invoice or a CreditNote',
  },
  {
    test: (ns) => ns.startsWith('urn:un:unece:uncefact:data:standard:'),
    code: 'NOT_AN_INVOICE',
    reason: 'This UN/CEFACT document is not a Cross Industry Invoice',
  },
];

const SBDH_NAMESPACE = 'http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader';

/**
 * The invoice element of a document: its root, or, for a Peppol message still in its Standard
 * Business Document envelope, the payload that follows the header.
 */
export function invoiceElement(root: Element): Element {
  if (root.localName !== 'StandardBusinessDocument' || root.namespaceURI !== SBDH_NAMESPACE) return root;
  for (let node = root.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === 1 && (node as Element).localName !== 'StandardBusinessDocumentHeader') return node as Element;
  }
  return root;
}

/** The syntax of an invoice XML document, from its root element; throws for any other XML. */
export function classifyXml(root: Element): Syntax {
  const namespace = root.namespaceURI ?? '';
  const name = root.localName ?? root.nodeName;
  // Any version of the CII namespace: D16B is the one EN 16931 binds, later ones keep its structure.
  if (name === 'CrossIndustryInvoice' && namespace.startsWith(CII_NAMESPACE_STEM)) return 'cii';
  if (name === 'CrossIndustryDocument' && namespace.startsWith(ZUGFERD1_NAMESPACE_STEM)) return 'zugferd1';
  // ZUGFeRD 1.0 release candidates (2013–2014) had their own root; their structure is 1.0's.
  if (name === 'Invoice' && namespace === ZUGFERD1_RC_NAMESPACE) return 'zugferd1';
  if ((name === 'Invoice' && namespace === UBL_INVOICE_NAMESPACE) || (name === 'CreditNote' && namespace === UBL_CREDIT_NOTE_NAMESPACE)) {
    return 'ubl';
  }
  const refused = REFUSED_ROOTS.find((r) => r.test(namespace, name));
  if (refused) throw new InvoiceError(refused.code, refused.reason);
  throw new InvoiceError(
    'NOT_AN_INVOICE',
    `XML root <${name}>${namespace ? ` in namespace ${namespace}` : ''} is not a CII, ZUGFeRD 1.0 or UBL invoice`,
  );
}

export function kindOf(container: Container, syntax: Syntax | undefined): InvoiceKind {
  if (container === 'image' || container === 'text') return container;
  if (syntax === undefined) return 'plain-pdf';
  if (syntax === 'zugferd1') return 'zugferd1';
  return container === 'pdf' ? 'hybrid-pdf' : syntax;
}
