// Reading a PDF with pdfjs-dist: its page count, its embedded files, and the visible text used to
// check that the page and the embedded XML tell the same story. Only the data structures are read;
// nothing is rendered and no script in the PDF runs. (`isEvalSupported: false`, which older pdfjs
// needed to stop it compiling PDF functions with `new Function`, is gone from pdfjs-dist 6: that
// code path no longer exists, so there is nothing left to switch off.)
import { join } from 'node:path';
import { getDocument, Util, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { packageDir } from '../../paths.ts';
import { InvoiceError } from '../errors.ts';
import { kernedSpaces, withoutKernedSpaces } from './kerning.ts';
import type { PageWords, Word } from '../layout.ts';

// For rendering (the OCR path): the 14 standard fonts a PDF may use without embedding them are read
// from pdfjs-dist's own folder; nothing is fetched.
const STANDARD_FONTS = `${join(packageDir('pdfjs-dist'), 'standard_fonts')}/`;

export interface PdfLimits {
  readonly maxPdfPages: number;
}

export interface EmbeddedFile {
  readonly name: string;
  readonly content: Uint8Array;
}

export interface OpenedPdf {
  readonly pages: number;
  /** Embedded files (the document's /EmbeddedFiles name tree), by file name. */
  embeddedFiles(): Promise<EmbeddedFile[]>;
  /** The text layer of the first `maxPages` pages, one string per page, items joined by spaces. */
  pageTexts(maxPages: number): AsyncGenerator<string>;
  /** The text layer of the first `maxPages` pages as positioned words, top-left origin, in points. */
  pageWords(maxPages: number): AsyncGenerator<PageWords>;
  /** The pdfjs document, for rendering pages (the OCR path). */
  readonly document: PDFDocumentProxy;
  close(): Promise<void>;
}

function pdfError(cause: unknown): InvoiceError {
  const name = cause instanceof Error ? cause.name : '';
  const message = cause instanceof Error ? cause.message : String(cause);
  if (name === 'PasswordException') {
    return new InvoiceError('PDF_ENCRYPTED', 'PDF needs a password to be opened', { cause });
  }
  return new InvoiceError('CORRUPT_PDF', `PDF cannot be read: ${message}`, { cause });
}

export async function openPdf(bytes: Uint8Array, limits: PdfLimits): Promise<OpenedPdf> {
  const task = getDocument({
    // pdfjs may transfer the buffer it is given to its worker, which would empty the caller's copy.
    data: bytes.slice(),
    disableFontFace: true,
    useSystemFonts: false,
    standardFontDataUrl: STANDARD_FONTS,
    enableXfa: false,
    verbosity: 0,
  });
  let document: PDFDocumentProxy;
  try {
    document = await task.promise;
  } catch (cause) {
    await task.destroy().catch(() => undefined);
    throw pdfError(cause);
  }
  const close = () => task.destroy();
  if (document.numPages > limits.maxPdfPages) {
    await close();
    throw new InvoiceError('PDF_TOO_MANY_PAGES', `PDF has ${document.numPages} pages; the limit is ${limits.maxPdfPages}`);
  }
  return {
    pages: document.numPages,
    async embeddedFiles() {
      try {
        const attachments = await document.getAttachments();
        const files: EmbeddedFile[] = [];
        for (const [id, attachment] of attachments ?? []) {
          const content = attachment.content ?? (await document.getAttachmentContent(id));
          if (content) files.push({ name: attachment.filename, content });
        }
        return files;
      } catch (cause) {
        throw pdfError(cause);
      }
    },
    async *pageTexts(maxPages) {
      for (let number = 1; number <= Math.min(maxPages, document.numPages); number += 1) {
        const parts: string[] = [];
        try {
          const page = await document.getPage(number);
          const content = await page.getTextContent();
          for (const item of content.items) if ('str' in item) parts.push(item.str);
          page.cleanup();
        } catch (cause) {
          throw pdfError(cause);
        }
        yield parts.join(' ');
      }
    },
    async *pageWords(maxPages) {
      for (let number = 1; number <= Math.min(maxPages, document.numPages); number += 1) {
        const words: Word[] = [];
        let size: { width: number; height: number };
        try {
          const page = await document.getPage(number);
          // The viewport applies the page's /Rotate and flips y, so boxes read as the page is seen.
          const viewport = page.getViewport({ scale: 1 });
          size = { width: viewport.width, height: viewport.height };
          const content = await page.getTextContent();
          const kerned = await kernedSpaces(page);
          for (const item of content.items) {
            if (!('str' in item) || item.str.trim() === '') continue;
            const [a = 0, b = 0, c = 0, d = 0, x = 0, y = 0] = Util.transform(viewport.transform, item.transform) as number[];
            // Text running up or down the page (a copyright line in the margin) is no part of the
            // lines it crosses: its box, taken as horizontal, would glue it to a label.
            if (a <= 0 || Math.abs(b) > 0.2 * a) continue;
            const height = Math.hypot(c, d) || item.height;
            const width = item.width * (Math.hypot(a, b) / Math.max(Math.hypot(item.transform[0] ?? 1, item.transform[1] ?? 0), 1e-6));
            words.push({
              text: withoutKernedSpaces(item.str, kerned.get(item.fontName)),
              x0: x,
              y0: y - height,
              x1: x + width,
              y1: y,
              confidence: 1,
            });
          }
          page.cleanup();
        } catch (cause) {
          throw pdfError(cause);
        }
        yield { page: number, ...size, words };
      }
    },
    document,
    close,
  };
}
