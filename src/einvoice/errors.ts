// Every way an input file can be unusable, with a stable code the queue stores as the job's error
// code and the CLI prints (exit status 2). All of them are properties of
// the file itself, so retrying cannot help: they are permanent. Anything else thrown by extraction
// (an aborted signal, a bug) is not an InvoiceError and keeps the queue's ordinary retry policy.

export const INVOICE_ERROR_CODES = [
  /** `extractInvoiceFile` only: the path does not exist or cannot be read. */
  'FILE_UNREADABLE',
  'EMPTY_FILE',
  'FILE_TOO_LARGE',
  /** Neither PDF, XML, text nor a known image format. */
  'UNSUPPORTED_FORMAT',
  /** Well-formed XML of a known kind that is not an invoice Facteur reads (Order-X, FatturaPA, …). */
  'NOT_AN_INVOICE',
  'XML_DOCTYPE_FORBIDDEN',
  'XML_MALFORMED',
  'XML_TOO_DEEP',
  'XML_ENCODING_UNSUPPORTED',
  'CORRUPT_PDF',
  'PDF_ENCRYPTED',
  'PDF_TOO_MANY_PAGES',
  /** A text file: the text extractor is not part of this module yet. */
  'VISUAL_PATH_UNAVAILABLE',
  'CORRUPT_IMAGE',
  /** More pixels than the limit (a decompression bomb, or a page rendered too large). */
  'IMAGE_TOO_LARGE',
  /** Reading the page (text layer or OCR) used up the memory its worker is allowed. */
  'EXTRACTION_OUT_OF_MEMORY',
  /** Reading the page took longer than its time limit. */
  'EXTRACTION_TIMEOUT',
] as const;

export type InvoiceErrorCode = (typeof INVOICE_ERROR_CODES)[number];

export class InvoiceError extends Error {
  override readonly name = 'InvoiceError';
  readonly code: InvoiceErrorCode;
  readonly permanent = true as const;

  constructor(code: InvoiceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isInvoiceError(error: unknown): error is InvoiceError {
  return error instanceof InvoiceError;
}
