import type { Db } from '../db/types.ts';
import { PermanentJobError, type TaskHandler } from '../queue/index.ts';
import type { ExtractionObserver } from '../metrics.ts';
import { traced } from '../tracing.ts';
import { extractInvoice, type ExtractLimits } from '../einvoice/index.ts';
import { PROCESS_INVOICE } from './jobs.ts';
import { saveExtraction } from './review.ts';
import { readInvoiceFile } from './store.ts';

/** The failure code of a job whose invoice was deleted before it ran; a restore queues it again. */
export const INVOICE_DELETED = 'INVOICE_DELETED';

// Whether the invoice was deleted (softly) since its job was queued. Reads only.
const DELETED = 'SELECT 1 FROM invoices WHERE id = $1 AND deleted_at IS NOT NULL';

/**
 * The `process_invoice` task: reads the invoice's file, extracts and validates it, and stores the
 * result in the transaction that completes the job. Unusable files fail at once (InvoiceError is
 * permanent); an abort (timeout, shutdown) stops the extraction between stages. `limits` tighten
 * the extraction's defaults (a smaller heap for the visual path's threads, a shorter time).
 */
export function processInvoiceTask(db: Db, observer?: ExtractionObserver, options: { limits?: Partial<ExtractLimits> } = {}): TaskHandler {
  return async (_payload, { job, signal }) => {
    if (!job.invoiceId) throw new PermanentJobError('INVOICE_MISSING', `A ${PROCESS_INVOICE} job needs an invoice.`);
    // A deleted invoice is not read: nobody is waiting for it, and a restore queues it again.
    if ((await db.query(DELETED, [job.invoiceId])).rowCount > 0) {
      throw new PermanentJobError(INVOICE_DELETED, `Invoice ${job.invoiceId} was deleted before it was read.`);
    }
    const file = await readInvoiceFile(db, job.invoiceId);
    if (!file) throw new PermanentJobError('INVOICE_MISSING', `Invoice ${job.invoiceId} has no stored file.`);
    const started = performance.now();
    const invoice = await traced('facteur.extract', { 'facteur.invoice_id': job.invoiceId, 'facteur.bytes': file.bytes.byteLength }, () =>
      extractInvoice(file.bytes, { signal, limits: options.limits }),
    );
    observer?.extracted(invoice, performance.now() - started);
    const invoiceId = job.invoiceId;
    return { commit: (tx) => saveExtraction(tx, invoiceId, invoice) };
  };
}
