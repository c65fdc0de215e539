// The visual path: the invoice read from what is printed on it. A PDF's text layer when it has
// one; otherwise (scans, photos) OCR words. Both give positioned words to one field finder.
import type { NormalisedInvoice } from '../model.ts';
import { findInvoiceFields } from './fields.ts';
import { linesOf, type PageWords } from '../layout.ts';

/** A page whose text layer has fewer characters than this is a scan: it goes to OCR. */
export const MIN_TEXT_LAYER_CHARS = 40;

export const hasTextLayer = (pages: readonly PageWords[]): boolean =>
  pages.reduce((n, p) => n + p.words.reduce((m, w) => m + w.text.trim().length, 0), 0) >= MIN_TEXT_LAYER_CHARS * pages.length;

/** The normalised invoice of words read off the pages; `source` says where they came from. */
export function invoiceFromWords(
  pages: readonly PageWords[],
  format: 'pdf-text' | 'ocr',
  source: NormalisedInvoice['source'],
): NormalisedInvoice {
  const found = findInvoiceFields(linesOf(pages));
  return {
    format,
    source,
    fields: found.fields,
    notes: [],
    allowances: [],
    charges: [],
    vatBreakdown: found.vatBreakdown,
    lines: found.lines,
    confidence: found.confidence,
    validation: found.validation,
  };
}
