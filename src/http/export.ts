import { TERMS, type NormalisedInvoice, type TermId, type TermRecord } from '../einvoice/model.ts';
import { writeCii, writeFacturX, writeUbl } from '../einvoice/write.ts';
import { csvRow, BOM, type CsvCell } from '../invoices/csv.ts';
import { exportRequestFrom } from '../invoices/export.ts';
import type { ExportFile } from '../invoices/export-file.ts';
import type { Caller } from './guard.ts';
import { contentDisposition } from './respond.ts';

// The review screen's CSV export: one row per invoice line, the invoice's header terms repeated on
// each, so that a spreadsheet can filter and sum them. Columns are EN 16931 term ids (stable,
// whatever the language); the values are the stored model's, written by the one CSV writer in
// its French dialect (`;`, decimal comma, jj/mm/aaaa), which a French spreadsheet opens as is.

const HEADER_TERMS: TermId[] = [
  'BT-1',
  'BT-2',
  'BT-3',
  'BT-5',
  'BT-9',
  'BT-27',
  'BT-30',
  'BT-31',
  'BT-44',
  'BT-47',
  'BT-48',
  'BT-109',
  'BT-110',
  'BT-112',
  'BT-115',
];
const LINE_TERMS: TermId[] = ['BT-126', 'BT-153', 'BT-129', 'BT-130', 'BT-146', 'BT-131', 'BT-151', 'BT-152'];

/** Decimal terms (amounts, prices, quantities, rates) are numbers to the spreadsheet, dates dates. */
const NUMBERS = new Set(['amount', 'unitPrice', 'quantity', 'percent']);
const typed = (term: TermId, value: string | undefined): CsvCell => {
  const type = TERMS[term].type;
  return NUMBERS.has(type) ? { amount: value } : type === 'date' ? { date: value } : value;
};

export function invoiceCsv(invoice: NormalisedInvoice): string {
  const header = HEADER_TERMS.map((term) => typed(term, invoice.fields[term]));
  const lines: TermRecord[] = invoice.lines.length > 0 ? invoice.lines : [{}];
  return (
    BOM +
    csvRow([...HEADER_TERMS, ...LINE_TERMS], 'fr') +
    lines.map((line) => csvRow([...header, ...LINE_TERMS.map((term) => typed(term, line[term]))], 'fr')).join('')
  );
}

export const INVOICE_FILE_FORMATS = ['json', 'csv', 'ubl', 'cii', 'facturx'] as const;
export type InvoiceFileFormat = (typeof INVOICE_FILE_FORMATS)[number];

/**
 * One invoice as a file: its normalised model (JSON), its CSV, or re-issued as UBL 2.1, CII D16B
 * or a Factur-X PDF by the e-invoice writer, from the model whatever the invoice was read from.
 */
export async function invoiceFile(
  invoice: NormalisedInvoice,
  format: InvoiceFileFormat,
  invoiceId: string,
): Promise<{ body: string | Uint8Array<ArrayBuffer>; contentType: string; fileName: string }> {
  const base = (invoice.fields['BT-1'] ?? invoiceId).replace(/[^\w.-]+/g, '_');
  switch (format) {
    case 'csv':
      return { body: invoiceCsv(invoice), contentType: 'text/csv; charset=utf-8', fileName: `${base}.csv` };
    case 'json':
      return { body: `${JSON.stringify(invoice, null, 2)}\n`, contentType: 'application/json; charset=utf-8', fileName: `${base}.json` };
    case 'ubl':
      return { body: writeUbl(invoice), contentType: 'application/xml; charset=utf-8', fileName: `${base}-ubl.xml` };
    case 'cii':
      return { body: writeCii(invoice), contentType: 'application/xml; charset=utf-8', fileName: `${base}-cii.xml` };
    case 'facturx':
      return { body: new Uint8Array(await writeFacturX(invoice)), contentType: 'application/pdf', fileName: `${base}-facturx.pdf` };
  }
}

/** A file's chunks as a web stream that reads the next only when its reader asks (backpressure). */
export function streamOf(file: ExportFile): ReadableStream<Uint8Array> {
  const iterator = file.chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 1 },
  );
}

/**
 * GET /api/exports?from=&to=&date=invoice|received&review=approved,ready&supplier=&format=: the
 * caller's invoices of a period as a file, streamed. Bad parameters are a 400 before anything is
 * read; the rates and settings the file needs are read before the first byte.
 */
export async function exportsHandler(request: Request, caller: Caller): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const exportRequest = exportRequestFrom(
    {
      from: params.get('from'),
      to: params.get('to'),
      date: params.get('date'),
      // A form's checkboxes repeat the name (review=approved&review=ready); a link joins with commas.
      review: params.has('review') ? params.getAll('review').join(',') : null,
      supplier: params.getAll('supplier').join(','),
      ids: params.get('ids'),
      format: params.get('format'),
      lang: params.get('lang'),
    },
    new Date(),
  );
  const file = await caller.invoices.export(exportRequest);
  return new Response(streamOf(file), {
    headers: {
      'content-type': file.contentType,
      'content-disposition': contentDisposition('attachment', file.fileName),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
