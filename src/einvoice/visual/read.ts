// Reading one file by the visual path, start to end: what runs inside a contained worker thread
// (stopping it is the pool's business: the thread is terminated). A PDF is read from its text
// layer, or OCR'd when it has none; an image is OCR'd.
import { InvoiceError } from '../errors.ts';
import type { NormalisedInvoice } from '../model.ts';
import { openPdf } from '../pdf/document.ts';
import { invoiceFromWords, hasTextLayer } from './index.ts';
import type { PageWords } from '../layout.ts';
import { ocrImage, ocrPdf, type OcrLimits } from './ocr.ts';

export interface VisualLimits extends OcrLimits {
  readonly maxPdfPages: number;
  /** Pages read; later pages are ignored. */
  readonly visualPages: number;
}

export interface VisualRequest {
  readonly container: 'pdf' | 'image';
  readonly limits: VisualLimits;
}

export async function readVisual(bytes: Uint8Array, request: VisualRequest): Promise<NormalisedInvoice> {
  const { limits } = request;
  if (request.container === 'image') {
    const page = await ocrImage(bytes, 1, limits);
    return invoiceFromWords([page], 'ocr', { container: 'image', pages: 1 });
  }
  const pdf = await openPdf(bytes, limits);
  try {
    const pages: PageWords[] = [];
    for await (const page of pdf.pageWords(limits.visualPages)) pages.push(page);
    if (hasTextLayer(pages)) return invoiceFromWords(pages, 'pdf-text', { container: 'pdf', pages: pdf.pages });
    const scanned: PageWords[] = [];
    for await (const page of ocrPdf(pdf.document, limits.visualPages, limits)) scanned.push(page);
    if (scanned.every((p) => p.words.length === 0))
      throw new InvoiceError('NOT_AN_INVOICE', 'No text could be read on the page, by text layer or OCR');
    return invoiceFromWords(scanned, 'ocr', { container: 'pdf', pages: pdf.pages });
  } finally {
    await pdf.close();
  }
}
