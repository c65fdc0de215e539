import { printableLine } from '../text.ts';
import { createHash } from 'node:crypto';
import type { Db, Sql } from '../db/types.ts';
import { FacteurError, InvalidInputError } from '../errors.ts';
import type { EnqueuedJob, Queue } from '../queue/index.ts';
import { classifyXml, invoiceElement, sniffContainer } from '../einvoice/detect.ts';
import { isInvoiceError } from '../einvoice/errors.ts';
import { parseXml } from '../einvoice/xml/parse.ts';
import { PROCESS_INVOICE } from './jobs.ts';
import type { InvoiceSource } from './views.ts';

/** What an upload may be: sniffed from the bytes, never taken from the name or the header. */
const ACCEPTED_MEDIA_TYPES = new Set(['application/pdf', 'application/xml', 'image/png', 'image/jpeg', 'image/tiff', 'image/webp']);

export interface AcceptedFile {
  fileName: string;
  mediaType: string;
  bytes: Uint8Array;
  sha256: string;
}

/**
 * A file to store. With an `arrivalKey` (unique per owner), the file is one arrival of a way in
 * that may deliver it twice: a second store with the same key fails on the unique index instead
 * of making a second invoice, and `findArrival` finds the first.
 */
export type ArrivingFile = AcceptedFile & { arrivalKey?: string };

export interface StoredInvoice {
  invoiceId: string;
  jobId: string;
  status: EnqueuedJob['status'];
  /** An earlier invoice of the same owner with the same bytes. */
  duplicateOf?: string;
}

/** A file name fit to store and show: no directories, no control, bidi or invisible format characters, not too long. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = printableLine(base).replace(/^\.+/, '').trim().slice(0, 200);
  return clean === '' ? 'invoice' : clean;
}

/** Refuses a file over the limit; callers that know the size before reading check it first. */
export function checkSize(fileName: string, sizeBytes: number, maxBytes: number): void {
  if (sizeBytes > maxBytes) {
    throw new InvalidInputError('FILE_TOO_LARGE', `${cleanFileName(fileName)} is ${sizeBytes} bytes; the limit is ${maxBytes} bytes.`);
  }
}

/**
 * Refuses XML whose root is not an invoice syntax Facteur reads (CII, ZUGFeRD 1.0, UBL, in a Peppol
 * envelope or not): an XHTML or SVG page, an Order-X order. Such a file would only ever fail its
 * extraction, and a stored page is one more thing a browser could be made to open. XML the safe
 * parser refuses (a DOCTYPE, malformed markup) is accepted here, so that the extraction fails it
 * for good with its reason in the inbox; it is never served inline either way.
 */
function refuseOtherXml(name: string, bytes: Uint8Array): void {
  let root;
  try {
    root = parseXml(bytes).documentElement!;
  } catch {
    return;
  }
  try {
    classifyXml(invoiceElement(root));
  } catch (error) {
    if (!isInvoiceError(error)) throw error;
    throw new InvalidInputError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${name} is XML but not an invoice Facteur reads (CII, Factur-X, ZUGFeRD, UBL): ${error.message}.`,
    );
  }
}

/** Checks one uploaded file (empty, too large, not a kind Facteur reads, XML of another kind) and fingerprints it. */
export function acceptFile(fileName: string, bytes: Uint8Array, maxBytes: number): AcceptedFile {
  const name = cleanFileName(fileName);
  checkSize(name, bytes.byteLength, maxBytes);
  let mediaType: string;
  try {
    mediaType = sniffContainer(bytes).mediaType;
  } catch (error) {
    if (isInvoiceError(error) && error.code === 'EMPTY_FILE') throw new InvalidInputError('EMPTY_FILE', `${name} is empty.`);
    mediaType = 'unknown';
  }
  if (!ACCEPTED_MEDIA_TYPES.has(mediaType)) {
    throw new InvalidInputError('UNSUPPORTED_MEDIA_TYPE', `${name} is not a PDF, an XML invoice or an image (PNG, JPEG, TIFF, WebP).`);
  }
  if (mediaType === 'application/xml') refuseOtherXml(name, bytes);
  return { fileName: name, mediaType, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

// The unique index on (owner, arrival_key) makes a second store of one arrival fail, whichever
// transaction commits first. The earliest invoice of the owner with the same bytes is found by the
// same statement (an index probe on (owner, sha256), locking nothing) and kept in duplicate_of: the
// only lookup of an identical file, which the extraction reads back (src/invoices/duplicates.ts).
const INSERT_INVOICE = `
  INSERT INTO invoices (owner, file_name, media_type, size_bytes, sha256, source, source_details, arrival_key, duplicate_of)
  VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8,
          (SELECT id FROM invoices WHERE owner = $1 AND sha256 = $5 AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1))
  RETURNING id, duplicate_of`;

// The invoice an arrival already made, if any. Reads only.
const FIND_ARRIVAL = `SELECT id FROM invoices WHERE owner = $1 AND arrival_key = $2`;

/** The invoice made by an earlier store of this arrival, or null. */
export async function findArrival(sql: Sql, owner: string, arrivalKey: string): Promise<string | null> {
  const { rows } = await sql.query<{ id: string }>(FIND_ARRIVAL, [owner, arrivalKey]);
  return rows[0]?.id ?? null;
}

const INSERT_FILE = `INSERT INTO invoice_files (invoice_id, content) VALUES ($1, $2)`;

/**
 * Stores the files, their invoices and their jobs in one transaction: an accepted upload is never
 * half-written, and is never lost once this returns.
 */
export async function storeInvoices(
  db: Db,
  queue: Queue,
  owner: string,
  files: readonly ArrivingFile[],
  options: { source: InvoiceSource; priority?: number },
): Promise<StoredInvoice[]> {
  return db.transaction((tx) => storeInvoicesIn(tx, queue, owner, files, options));
}

/**
 * `storeInvoices` inside the caller's transaction, for a way in that writes its own record of the
 * arrival in the same transaction (a mail message taken once).
 */
export async function storeInvoicesIn(
  tx: Sql,
  queue: Queue,
  owner: string,
  files: readonly ArrivingFile[],
  options: { source: InvoiceSource; priority?: number },
): Promise<StoredInvoice[]> {
  const stored: { invoiceId: string; duplicateOf?: string }[] = [];
  for (const file of files) {
    const { rows } = await tx.query<{ id: string; duplicate_of: string | null }>(INSERT_INVOICE, [
      owner,
      file.fileName,
      file.mediaType,
      file.bytes.byteLength,
      file.sha256,
      options.source.kind,
      JSON.stringify(options.source.details),
      file.arrivalKey ?? null,
    ]);
    const { id: invoiceId, duplicate_of: duplicateOf } = rows[0]!;
    await tx.query(INSERT_FILE, [invoiceId, Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength)]);
    stored.push({ invoiceId, ...(duplicateOf ? { duplicateOf } : {}) });
  }
  const jobs = await queue.enqueueMany(
    stored.map(({ invoiceId }) => ({ task: PROCESS_INVOICE, invoiceId, priority: options.priority })),
    { tx },
  );
  return stored.map((invoice, i) => ({ ...invoice, jobId: jobs[i]!.id, status: jobs[i]!.status }));
}

export async function readInvoiceFile(
  sql: Sql,
  invoiceId: string,
  owner?: string,
): Promise<{ fileName: string; mediaType: string; bytes: Uint8Array } | null> {
  const { rows } = await sql.query<{ file_name: string; media_type: string; content: Uint8Array }>(
    `SELECT i.file_name, i.media_type, f.content
       FROM invoices i JOIN invoice_files f ON f.invoice_id = i.id
      WHERE i.id = $1 AND ($2::text IS NULL OR i.owner = $2)`,
    [invoiceId, owner ?? null],
  );
  const row = rows[0];
  return row ? { fileName: row.file_name, mediaType: row.media_type, bytes: new Uint8Array(row.content) } : null;
}

/** The invoice does not exist, or belongs to another owner: the two are indistinguishable. */
export class InvoiceNotFoundError extends FacteurError {
  constructor(invoiceId: string) {
    super('INVOICE_NOT_FOUND', `No invoice ${invoiceId}.`);
  }
}
