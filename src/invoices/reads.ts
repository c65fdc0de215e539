import type { Sql } from '../db/types.ts';
import type { JobStatus } from '../queue/index.ts';
import { invoiceAttempts } from '../queue/history.ts';
import { latestJob, queuePosition } from '../queue/views.ts';
import type { Finding, NormalisedInvoice, TermRecord } from '../einvoice/model.ts';
import type { InvoiceDetail, InvoicePage, InvoiceSourceKind, InvoiceStatus, InvoiceSummary, ReviewReason, ReviewState } from './views.ts';
import { correctionsOf } from './corrections.ts';
import { reviewHistory } from './review.ts';
import { PROCESS_INVOICE } from './jobs.ts';

interface StatusRow {
  invoice_id: string;
  file_name: string;
  source: InvoiceSourceKind;
  source_details: Record<string, string>;
  media_type: string;
  size_bytes: number;
  format: string | null;
  fields: TermRecord | null;
  validation: Finding[] | null;
  job_id: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  priority: number;
  position: number | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  run_at: Date;
  last_error: string | null;
  error_code: string | null;
  invoice_created_at: Date;
  version: number;
  review_state: ReviewState | null;
  review_reasons: ReviewReason[];
  reviewed_by: string | null;
  reviewed_at: Date | null;
  review_reason: string | null;
}

// The invoice with its latest processing job (the invoice's status). Every statement below passes
// PROCESS_INVOICE as $1.
const STATUS_COLUMNS = `
  i.id AS invoice_id, i.file_name, i.source, i.source_details, i.media_type, i.size_bytes, i.format, COALESCE(i.corrected, i.extracted)->'fields' AS fields,
  i.validation, i.created_at AS invoice_created_at,
  i.version, i.review_state, i.review_reasons, i.reviewed_by, i.reviewed_at, i.review_reason,
  q.id AS job_id, q.status, q.attempts, q.max_attempts, q.priority, q.created_at, q.started_at,
  q.completed_at, q.run_at, q.last_error, q.error_code`;

const LATEST_JOB = `JOIN LATERAL ${latestJob('i.id', '$1')} q ON true`;

// With the job's place among the owner's jobs in the queue. Reads only; takes no lock.
const STATUS = `
  SELECT ${STATUS_COLUMNS}, ${queuePosition('q')} AS position
    FROM invoices i ${LATEST_JOB}
   WHERE i.id = $2 AND i.owner = $3`;

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

function summaryOf(row: StatusRow): InvoiceSummary {
  const fields = row.fields ?? {};
  const findings = row.validation ?? [];
  const summary: InvoiceSummary = {
    fileName: row.file_name,
    source: { kind: row.source, details: row.source_details },
    mediaType: row.media_type,
    sizeBytes: row.size_bytes,
    format: row.format,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
  };
  const copy = (key: keyof InvoiceSummary, term: keyof TermRecord) => {
    const value = fields[term];
    if (value !== undefined) (summary as unknown as Record<string, string>)[key] = value;
  };
  copy('number', 'BT-1');
  copy('issueDate', 'BT-2');
  copy('seller', 'BT-27');
  copy('totalWithVat', 'BT-112');
  copy('currency', 'BT-5');
  copy('typeCode', 'BT-3');
  return summary;
}

function statusOf(row: StatusRow): InvoiceStatus {
  return {
    invoiceId: row.invoice_id,
    jobId: row.job_id,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    priority: row.priority,
    position: row.position,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    nextRunAt: row.status === 'pending' ? row.run_at.toISOString() : null,
    lastError: row.last_error,
    errorCode: row.error_code,
    invoice: summaryOf(row),
    version: row.version,
    review: {
      state: row.review_state,
      reasons: row.review_reasons,
      by: row.reviewed_by,
      at: iso(row.reviewed_at),
      reason: row.review_reason,
    },
  };
}

/** The invoice's latest job and a summary of what was extracted; null when not this owner's. */
export async function invoiceStatus(sql: Sql, owner: string, invoiceId: string): Promise<InvoiceStatus | null> {
  const { rows } = await sql.query<StatusRow>(STATUS, [PROCESS_INVOICE, invoiceId, owner]);
  return rows[0] ? statusOf(rows[0]) : null;
}

/** A page of the list: by job status, review state, a search of the supplier, number or file name. */
export interface InvoiceListOptions {
  status?: JobStatus;
  review?: ReviewState;
  /** One way in: upload, cli, folder… */
  source?: InvoiceSourceKind;
  search?: string;
  /** Part of the seller's name (BT-27). */
  supplier?: string;
  /** Invoice dates (BT-2) from and to, inclusive, YYYY-MM-DD. */
  issuedFrom?: string;
  issuedTo?: string;
  limit: number;
  cursor?: { createdAt: string; id: string };
}

// Newest first, a page at a time by keyset (created_at, id): page 500 costs what page 1 does. Deleted
// invoices are left out (restorable from their own page); the values are the corrected ones.
const LIST = `
  SELECT ${STATUS_COLUMNS}, NULL::int AS position
    FROM invoices i ${LATEST_JOB}
   WHERE i.owner = $2
     AND ($3::text IS NULL OR q.status = $3)
     AND i.deleted_at IS NULL
     AND ($4::text IS NULL OR COALESCE(i.corrected, i.extracted)->'fields'->>'BT-27' ILIKE '%' || $4 || '%'
                           OR COALESCE(i.corrected, i.extracted)->'fields'->>'BT-1' ILIKE '%' || $4 || '%'
                           OR i.file_name ILIKE '%' || $4 || '%')
     AND ($5::timestamptz IS NULL OR (i.created_at, i.id) < ($5, $6::uuid))
     AND ($8::text IS NULL OR i.review_state = $8)
     AND ($9::text IS NULL OR i.source = $9)
     AND ($10::text IS NULL OR i.extracted->'fields'->>'BT-27' ILIKE '%' || $10 || '%')
     AND ($11::text IS NULL OR i.extracted->'fields'->>'BT-2' >= $11)
     AND ($12::text IS NULL OR i.extracted->'fields'->>'BT-2' <= $12)
   ORDER BY i.created_at DESC, i.id DESC
   LIMIT $7`;

export async function listInvoices(sql: Sql, owner: string, options: InvoiceListOptions): Promise<InvoicePage> {
  const likeEscaped = (text: string | undefined) => text?.replace(/[\\%_]/g, (c) => `\\${c}`);
  const search = likeEscaped(options.search);
  const { rows } = await sql.query<StatusRow>(LIST, [
    PROCESS_INVOICE,
    owner,
    options.status ?? null,
    search || null,
    options.cursor?.createdAt ?? null,
    options.cursor?.id ?? null,
    options.limit + 1,
    options.review ?? null,
    options.source ?? null,
    likeEscaped(options.supplier) ?? null,
    options.issuedFrom ?? null,
    options.issuedTo ?? null,
  ]);
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    invoices: page.map(statusOf),
    nextCursor: rows.length > options.limit && last ? `${last.invoice_created_at.toISOString()}_${last.invoice_id}` : null,
  };
}

// The invoice as booked (corrected when a person corrected it) and its deletion. Reads only.
const DETAIL = 'SELECT COALESCE(corrected, extracted) AS extracted, deleted_at, deleted_by FROM invoices WHERE id = $1';

/**
 * Everything the review screen shows: the status, the invoice with its corrections applied and the
 * corrections themselves, every attempt of every job, the review trail, and its deletion if deleted.
 */
export async function invoiceDetail(sql: Sql, owner: string, invoiceId: string): Promise<InvoiceDetail | null> {
  const status = await invoiceStatus(sql, owner, invoiceId);
  if (!status) return null;
  const [detail, history, reviews, corrections] = await Promise.all([
    sql.query<{ extracted: NormalisedInvoice | null; deleted_at: Date | null; deleted_by: string | null }>(DETAIL, [invoiceId]),
    invoiceAttempts(sql, invoiceId),
    reviewHistory(sql, owner, invoiceId),
    correctionsOf(sql, invoiceId),
  ]);
  const row = detail.rows[0];
  return {
    ...status,
    extracted: row?.extracted ?? null,
    corrections,
    deleted: row?.deleted_at ? { by: row.deleted_by ?? '', at: row.deleted_at.toISOString() } : null,
    history,
    reviewHistory: reviews,
  };
}

// The owner's invoices whose latest job failed, oldest first: what « Tout relancer » revives, one
// invoice at a time through Queue.retryFailed (which keeps its own guard against a live job).
const FAILED_INVOICES = `
  SELECT i.id FROM invoices i ${LATEST_JOB}
   WHERE i.owner = $2 AND q.status = 'failed' AND i.deleted_at IS NULL
   ORDER BY i.created_at, i.id
   LIMIT $3`;

export async function failedInvoiceIds(sql: Sql, owner: string, limit: number): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>(FAILED_INVOICES, [PROCESS_INVOICE, owner, limit]);
  return rows.map((row) => row.id);
}
