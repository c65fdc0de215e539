// The invoice domain's public surface: bytes in, normalised and validated invoice out (docs/architecture.md).
// No database here; the job handler and `facteur extract` both call `extractInvoice`.
import '../node-version.ts';
import { readFile, stat } from 'node:fs/promises';
import type { Element } from '@xmldom/xmldom';
import { classifyXml, invoiceElement, kindOf, sniffContainer, type Detection } from './detect.ts';
import { InvoiceError, isInvoiceError } from './errors.ts';
import { readInvoiceXml, type CompiledBinding } from './xml/binding.ts';
import { CII_BINDING, ZUGFERD1_BINDING } from './xml/cii.ts';
import { findInvoiceAttachment, type InvoiceAttachment } from './pdf/facturx.ts';
import { openPdf, type OpenedPdf } from './pdf/document.ts';
import { UBL_BINDING } from './xml/ubl.ts';
import { readVisualContained, type ContainmentLimits } from './visual/contained.ts';
import type { Finding, InvoiceSource, NormalisedInvoice, Syntax, TermId } from './model.ts';
import { profileLevel } from './profile.ts';
import { validateEn16931 } from './validate/en16931.ts';
import { validateFrance } from './validate/france.ts';
import { checkProfileSyntax, gradeByProfile, officialArtefact } from './validate/profile.ts';
import { validateSyntax } from './validate/syntax.ts';
import { validateCodeLists, validateProfileElements } from './validate/official-xpath.ts';
import { checkVisibleText } from './validate/visible.ts';
import { DEFAULT_XML_LIMITS, parseXml, rootElement, type XmlLimits } from './xml/parse.ts';

export interface ExtractLimits extends XmlLimits, ContainmentLimits {
  /** Largest file accepted (PDF, image or XML), in bytes. */
  readonly maxFileBytes: number;
  /** Pages whose text is compared with the embedded XML; invoices put their totals early. */
  readonly visibleTextPages: number;
}

export const DEFAULT_LIMITS: ExtractLimits = {
  ...DEFAULT_XML_LIMITS,
  maxFileBytes: 50 * 1024 * 1024,
  maxPdfPages: 200,
  visibleTextPages: 10,
  visualPages: 10,
  // An A4 page at 300 dpi is 8.7 million pixels; a phone photo 12 to 50.
  maxImagePixels: 60_000_000,
  ocrDpi: 300,
  workerHeapMb: 512,
  // Ten scanned pages at up to 8 s each, with room to spare; the job's own deadline may be shorter.
  visualTimeoutMs: 180_000,
};

export interface ExtractOptions {
  /** Ignore the XML embedded in a PDF and read the page instead (the visual path). */
  readonly ignoreEmbeddedXml?: boolean;
  readonly limits?: Partial<ExtractLimits>;
  /** The job's deadline: checked between stages, it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

const BINDINGS: Record<Syntax, CompiledBinding> = { cii: CII_BINDING, ubl: UBL_BINDING, zugferd1: ZUGFERD1_BINDING };

/** A file opened as far as detection needs: its kind, and what extraction goes on with. */
interface OpenedInvoice {
  readonly detection: Detection;
  readonly root?: Element;
  /** The invoice XML's bytes as received (the file, or the PDF's attachment), for schema validation. */
  readonly xml?: Uint8Array;
  readonly pdf?: OpenedPdf;
}

const limitsOf = (options: ExtractOptions): ExtractLimits => ({ ...DEFAULT_LIMITS, ...options.limits });

async function openInvoice(bytes: Uint8Array, options: ExtractOptions): Promise<OpenedInvoice> {
  const limits = limitsOf(options);
  const { container, mediaType } = sniffContainer(bytes);
  if (bytes.byteLength > limits.maxFileBytes) {
    throw new InvoiceError('FILE_TOO_LARGE', `The file is ${bytes.byteLength} bytes; the limit is ${limits.maxFileBytes}`);
  }
  if (container === 'image' || container === 'text') return { detection: { kind: container, container, mediaType } };
  if (container === 'xml') {
    const root = invoiceElement(rootElement(parseXml(bytes, limits)));
    const syntax = classifyXml(root);
    return { detection: { kind: kindOf(container, syntax), container, syntax, mediaType }, root, xml: bytes };
  }
  const pdf = await openPdf(bytes, limits);
  let attachment: InvoiceAttachment | undefined;
  try {
    options.signal?.throwIfAborted();
    attachment = options.ignoreEmbeddedXml ? undefined : findInvoiceAttachment(await pdf.embeddedFiles(), limits);
  } catch (error) {
    await pdf.close();
    throw error;
  }
  if (!attachment) return { detection: { kind: 'plain-pdf', container, mediaType }, pdf };
  const { syntax, name } = attachment;
  return {
    detection: { kind: kindOf(container, syntax), container, syntax, attachment: name, mediaType },
    root: attachment.root,
    xml: attachment.content,
    pdf,
  };
}

/** What a file is, by content: `hybrid-pdf`, `zugferd1`, `cii`, `ubl`, `plain-pdf`, `image` or `text`. */
export async function detectInvoice(bytes: Uint8Array, options: ExtractOptions = {}): Promise<Detection> {
  const opened = await openInvoice(bytes, options);
  await opened.pdf?.close();
  return opened.detection;
}

/**
 * Extracts the normalised invoice from a file's bytes: from its XML when it has some (confidence 1),
 * else from what is printed on it (`format: 'pdf-text'` or `'ocr'`, a confidence per field,
 * `FACTEUR-REVIEW` naming the fields to check). Throws an `InvoiceError` (all permanent) for
 * unusable input; a text file throws `VISUAL_PATH_UNAVAILABLE`.
 */
export async function extractInvoice(bytes: Uint8Array, options: ExtractOptions = {}): Promise<NormalisedInvoice> {
  options.signal?.throwIfAborted();
  const { detection, root, xml, pdf } = await openInvoice(bytes, options);
  const { syntax } = detection;
  if (root === undefined || xml === undefined || syntax === undefined) {
    // The worker opens the file again: this thread's copy is released before the long part.
    await pdf?.close();
    return readByVisualPath(bytes, detection, options);
  }
  try {
    options.signal?.throwIfAborted();
    const data = readInvoiceXml(root, BINDINGS[syntax]);
    const ublDocument =
      syntax === 'ubl' ? { ublDocument: root.localName === 'CreditNote' ? ('CreditNote' as const) : ('Invoice' as const) } : {};
    const source: InvoiceSource =
      detection.container === 'pdf' && pdf
        ? { container: 'pdf', syntax, attachment: detection.attachment ?? '', pages: pdf.pages, ...ublDocument }
        : { container: 'xml', syntax, ...ublDocument };
    const profile = data.fields['BT-24'];
    const level = profileLevel(profile);
    const invoice: NormalisedInvoice = {
      format: syntax === 'zugferd1' ? 'zugferd1' : detection.container === 'pdf' ? 'facturx' : syntax,
      ...(profile === undefined ? {} : { profile }),
      ...(level === undefined ? {} : { profileLevel: level }),
      source,
      fields: data.fields,
      notes: data.notes,
      allowances: data.allowances,
      charges: data.charges,
      vatBreakdown: data.vatBreakdown,
      lines: data.lines,
      confidence: Object.fromEntries(Object.keys(data.fields).map((id) => [id, 1])),
      validation: data.findings,
    };
    const artefact = officialArtefact(syntax, detection.container === 'pdf' ? 'pdf' : 'xml', level);
    // Loaded at the first XML: libxml2's WebAssembly (~34 ms) is not paid by a process that only reads PDFs' pages.
    const { validateXsd, xsdSchemaFor } = await import('./validate/xsd.ts');
    const official = [
      ...validateEn16931(invoice, data.present),
      ...validateSyntax(root, syntax),
      ...validateCodeLists(root, syntax),
      ...validateProfileElements(root, artefact),
    ];
    invoice.validation.push(
      ...gradeByProfile(official, artefact, level),
      ...validateXsd(xml, xsdSchemaFor(syntax, artefact, root.localName ?? '')),
      ...checkProfileSyntax(syntax, level, profile),
      ...validateFrance(invoice),
    );
    if (pdf) invoice.validation.push(...(await compareWithPage(pdf, invoice, options)));
    return invoice;
  } finally {
    await pdf?.close();
  }
}

/** A plain PDF or an image, read from what is printed on it, in a contained worker thread. */
async function readByVisualPath(bytes: Uint8Array, detection: Detection, options: ExtractOptions): Promise<NormalisedInvoice> {
  if (detection.container === 'text') {
    throw new InvoiceError('VISUAL_PATH_UNAVAILABLE', 'A text invoice needs the text path, which this version does not do yet');
  }
  options.signal?.throwIfAborted();
  const container = detection.container === 'image' ? 'image' : 'pdf';
  const invoice = await readVisualContained(bytes, { container, limits: limitsOf(options) }, options.signal);
  // A photo of a receipt keeps what could be read of it; a PDF with nothing of an invoice is refused.
  if (container === 'pdf') refuseWithoutKeyTerms(invoice);
  invoice.validation.push(...validateFrance(invoice));
  return invoice;
}

/** An invoice states its number or what is to be paid: a PDF with neither (a manual, a code list) is not one. */
const KEY_TERMS: readonly TermId[] = ['BT-1', 'BT-109', 'BT-112', 'BT-115'];

function refuseWithoutKeyTerms(invoice: NormalisedInvoice): void {
  if (KEY_TERMS.every((id) => invoice.fields[id] === undefined)) {
    throw new InvoiceError(
      'NOT_AN_INVOICE',
      'Neither an invoice number nor an invoice total was found on the page: this does not look like an invoice',
    );
  }
}

/** The page-versus-XML check, reading pages only until every key value has been seen. */
async function compareWithPage(pdf: OpenedPdf, invoice: NormalisedInvoice, options: ExtractOptions): Promise<Finding[]> {
  let text = '';
  try {
    for await (const page of pdf.pageTexts(limitsOf(options).visibleTextPages)) {
      options.signal?.throwIfAborted();
      text += ` ${page}`;
      if (text.trim() !== '' && checkVisibleText(text, invoice.fields).length === 0) return [];
    }
    return checkVisibleText(text, invoice.fields);
  } catch (error) {
    // The XML was read; a page whose text cannot be extracted only leaves the comparison undone.
    if (!isInvoiceError(error)) throw error;
    return [
      {
        rule: 'FACTEUR-PDF-XML',
        severity: 'warning',
        message: `The PDF page text could not be read to compare it with the XML: ${error.message}`,
      },
    ];
  }
}

/** `extractInvoice` on a file; the size limit is checked before the file is read. */
export async function extractInvoiceFile(path: string, options: ExtractOptions = {}): Promise<NormalisedInvoice> {
  const maxFileBytes = options.limits?.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes;
  let bytes: Uint8Array;
  try {
    const { size } = await stat(path);
    if (size > maxFileBytes) {
      throw new InvoiceError('FILE_TOO_LARGE', `The file is ${size} bytes; the limit is ${maxFileBytes}`);
    }
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    if (isInvoiceError(error)) throw error;
    throw new InvoiceError('FILE_UNREADABLE', `${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return extractInvoice(bytes, options);
}

export type { Detection, InvoiceKind } from './detect.ts';
export { CREDIT_NOTE_TYPES, EN16931_RULES } from './validate/en16931.ts';
export { stopVisualWorkers } from './visual/contained.ts';
export { REVIEW_BELOW } from './visual/fields.ts';
export { INVOICE_ERROR_CODES, InvoiceError, isInvoiceError, type InvoiceErrorCode } from './errors.ts';
export {
  normalisedInvoiceSchema,
  TERMS,
  type Finding,
  type InvoiceFormat,
  type NormalisedInvoice,
  type ProfileLevel,
  type TermId,
  type TermRecord,
} from './model.ts';
