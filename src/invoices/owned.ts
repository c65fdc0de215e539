import type { Db } from '../db/types.ts';
import { InvalidInputError } from '../errors.ts';
import type { ExportRequest } from './export.ts';
import { openExport, type ExportFile } from './export-file.ts';
import { failedInvoiceIds, invoiceDetail, invoiceStatus, listInvoices, type InvoiceListOptions } from './reads.ts';
import { correctInvoice, type fieldChangesFrom } from './correct.ts';
import { setDeleted } from './deletion.ts';
import { transitionReview, type Transition } from './review.ts';
import { readInvoiceFile } from './store.ts';
import type { InvoiceDetail, InvoicePage, InvoiceStatus } from './views.ts';

// Whether the invoice is the owner's: a plain index probe, locking nothing (what follows takes its
// own locks, and an invoice is never given to another owner).
const OWNED = 'SELECT 1 FROM invoices WHERE id = $1 AND owner = $2';

/**
 * One owner's invoices, the only way the HTTP handlers and the CLI reach an invoice by id. Every
 * statement names the owner in its WHERE clause, so another owner's invoice is missing in the same
 * query, at the same cost, as one that does not exist, and both are the same INVOICE_NOT_FOUND.
 */
export class OwnedInvoices {
  readonly #sql: Db;
  readonly owner: string;

  constructor(sql: Db, owner: string) {
    this.#sql = sql;
    this.owner = owner;
  }

  /** Throws INVOICE_NOT_FOUND unless the invoice is the owner's. */
  async check(invoiceId: string): Promise<void> {
    const { rowCount } = await this.#sql.query(OWNED, [invoiceId, this.owner]);
    if (rowCount === 0) throw notFound(invoiceId);
  }

  async status(invoiceId: string): Promise<InvoiceStatus> {
    return found(await this.findStatus(invoiceId), invoiceId);
  }

  /** The status, or null once there is none to see (a stream that follows an invoice ends then). */
  findStatus(invoiceId: string): Promise<InvoiceStatus | null> {
    return invoiceStatus(this.#sql, this.owner, invoiceId);
  }

  async detail(invoiceId: string): Promise<InvoiceDetail> {
    return found(await invoiceDetail(this.#sql, this.owner, invoiceId), invoiceId);
  }

  async file(invoiceId: string): Promise<{ fileName: string; mediaType: string; bytes: Uint8Array }> {
    return found(await readInvoiceFile(this.#sql, invoiceId, this.owner), invoiceId);
  }

  list(options: InvoiceListOptions): Promise<InvoicePage> {
    return listInvoices(this.#sql, this.owner, options);
  }

  /**
   * Approves, rejects or reopens the invoice as `by`, from the `version` the caller saw when it
   * names one; throws VERSION_CONFLICT or INVALID_TRANSITION when the invoice moved meanwhile.
   */
  async review(invoiceId: string, transition: Transition, options: { by: string; version?: number; reason?: string }): Promise<void> {
    if (!(await transitionReview(this.#sql, this.owner, invoiceId, transition, options))) throw notFound(invoiceId);
  }

  /**
   * Saves a person's corrections (`fieldChangesFrom`) as `by`, from the `version` they saw; throws
   * VERSION_CONFLICT, NOT_EDITABLE, NOT_EXTRACTED or INVOICE_DELETED (nothing stored).
   */
  async correct(invoiceId: string, changes: ReturnType<typeof fieldChangesFrom>, options: { version: number; by: string }): Promise<void> {
    if (!(await correctInvoice(this.#sql, this.owner, invoiceId, changes, options))) throw notFound(invoiceId);
  }

  /** Deletes (softly) or restores the invoice as `by`; throws ALREADY_DELETED, NOT_DELETED or VERSION_CONFLICT. */
  async setDeleted(invoiceId: string, deleted: boolean, options: { by: string; version?: number }): Promise<void> {
    if (!(await setDeleted(this.#sql, this.owner, invoiceId, deleted, options))) throw notFound(invoiceId);
  }

  /** The invoices of a period as a file to download, read page by page as its bytes are pulled. */
  export(request: ExportRequest): Promise<ExportFile> {
    return openExport(this.#sql, this.owner, request);
  }

  /** The invoices whose latest job failed, oldest first. */
  failedIds(limit: number): Promise<string[]> {
    return failedInvoiceIds(this.#sql, this.owner, limit);
  }
}

function found<T>(value: T | null, invoiceId: string): T {
  if (value === null) throw notFound(invoiceId);
  return value;
}

function notFound(invoiceId: string): InvalidInputError {
  return new InvalidInputError('INVOICE_NOT_FOUND', `No invoice ${invoiceId}.`);
}
