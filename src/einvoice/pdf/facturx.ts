// The invoice XML inside a hybrid PDF (Factur-X, ZUGFeRD 1.0/2.x, XRechnung in a PDF). It is chosen
// by name, never by position: such PDFs may also carry delivery notes, time sheets or images.
import type { Element } from '@xmldom/xmldom';
import { classifyXml, isOrderX } from '../detect.ts';
import { InvoiceError, isInvoiceError } from '../errors.ts';
import type { Syntax } from '../model.ts';
import { parseXml, rootElement, type XmlLimits } from '../xml/parse.ts';
import type { EmbeddedFile } from './document.ts';

/**
 * The names the Factur-X 1.0, ZUGFeRD 1.0/2.x and XRechnung specifications give the invoice file,
 * most preferred first. Some test PDFs carry both a ZUGFeRD 1.0 file and a factur-x.xml (Mustang's
 * `validV2PDF.pdf`, whose XMP names factur-x.xml); the reference labels read the 1.0 file there, so
 * the exact 1.0 spelling comes first. That is a convention of the labels, not a rule of the specs.
 */
export const INVOICE_ATTACHMENT_NAMES = ['ZUGFeRD-invoice.xml', 'factur-x.xml', 'zugferd-invoice.xml', 'xrechnung.xml'] as const;

export interface InvoiceAttachment {
  readonly name: string;
  /** The attachment's bytes as embedded, for tools that read the XML themselves. */
  readonly content: Uint8Array;
  readonly root: Element;
  readonly syntax: Syntax;
}

/** Exact spelling first, then any spelling: ZUGFeRD 2.0 and 1.0 differ only by case. */
function rank(name: string): number {
  const names: readonly string[] = INVOICE_ATTACHMENT_NAMES;
  const exact = names.indexOf(name);
  if (exact !== -1) return exact;
  const loose = names.findIndex((standard) => standard.toLowerCase() === name.toLowerCase());
  return loose === -1 ? -1 : names.length + loose;
}

/**
 * The embedded invoice, or undefined for a PDF without one. A file with a standard name must be a
 * readable invoice (its errors are the PDF's errors); other `.xml` files are tried, in name order,
 * only when no standard name is present, since some producers name a UBL attachment freely.
 */
export function findInvoiceAttachment(files: readonly EmbeddedFile[], limits: XmlLimits): InvoiceAttachment | undefined {
  const standard = files.filter((file) => rank(file.name) !== -1).sort((a, b) => rank(a.name) - rank(b.name));
  const [named] = standard;
  if (named) {
    const root = rootElement(parseXml(named.content, limits));
    return { name: named.name, content: named.content, root, syntax: classifyXml(root) };
  }
  let refusal: InvoiceError | undefined;
  const others = files
    .filter((file) => file.name.toLowerCase().endsWith('.xml'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const file of others) {
    try {
      const root = rootElement(parseXml(file.content, limits));
      // An Order-X PDF is an order: say so rather than sending it down the visual path.
      if (isOrderX(root)) refusal ??= new InvoiceError('NOT_AN_INVOICE', 'This is an Order-X purchase order, not an invoice');
      else return { name: file.name, content: file.content, root, syntax: classifyXml(root) };
    } catch (error) {
      // Other attachments are not the invoice's business: one that is unreadable is skipped.
      if (!isInvoiceError(error)) throw error;
    }
  }
  if (refusal) throw refusal;
  return undefined;
}
