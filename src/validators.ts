import { InvalidInputError } from './errors.ts';
import { PRIORITY_MAX, PRIORITY_MIN } from './queue/defaults.ts';
import type { JobStatus } from './queue/job.ts';
import { INVOICE_SOURCE_KINDS, type InvoiceSourceKind, type ReviewState } from './invoices/views.ts';

// What callers send (HTTP parameters and bodies, CLI arguments), checked in one place so that the
// same mistake gets the same code and sentence wherever it is made. Each check throws an
// InvalidInputError; nothing has been read or written by then.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JOB_STATUSES: readonly JobStatus[] = ['pending', 'processing', 'completed', 'failed'];
/** A page of the invoice list: at most this many rows, 50 when not given. */
const PAGE_LIMIT_MAX = 200;
const PAGE_LIMIT_DEFAULT = 50;

export function isUuid(value: unknown): boolean {
  return typeof value === 'string' && UUID.test(value);
}

/** An invoice id, lower-cased; a missing one and a malformed one get different sentences. */
export function invoiceIdFrom(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    throw new InvalidInputError('INVALID_INVOICE_ID', 'Give the invoice id (a UUID).');
  }
  const text = String(value);
  if (!isUuid(text)) {
    throw new InvalidInputError('INVALID_INVOICE_ID', `The invoice id must be a UUID (got ${JSON.stringify(text.slice(0, 60))}).`);
  }
  return text.toLowerCase();
}

/** A job priority, 0 when not given. */
export function priorityFrom(value: unknown): number {
  const priority = value ?? 0;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < PRIORITY_MIN || priority > PRIORITY_MAX) {
    throw new InvalidInputError('INVALID_PRIORITY', `The priority must be a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}.`);
  }
  return priority;
}

/** A job status to filter by, or undefined for all. */
export function jobStatusFrom(value: string | null): JobStatus | undefined {
  if (value === null) return undefined;
  if (!JOB_STATUSES.includes(value as JobStatus)) {
    throw new InvalidInputError('INVALID_STATUS', `status must be one of ${JOB_STATUSES.join(', ')}.`);
  }
  return value as JobStatus;
}

const REVIEW_STATES: readonly ReviewState[] = ['to_review', 'ready', 'approved', 'rejected'];
/** A rejection's reason is a sentence, not a document. */
const REASON_MAX = 1000;

/** A review state to filter by, or undefined for all. */
export function reviewStateFrom(value: string | null | undefined): ReviewState | undefined {
  if (value === null || value === undefined) return undefined;
  if (!REVIEW_STATES.includes(value as ReviewState)) {
    throw new InvalidInputError('INVALID_REVIEW_STATE', `review must be one of ${REVIEW_STATES.join(', ')}.`);
  }
  return value as ReviewState;
}

/** The invoice version the caller acted on, or undefined when it names none. */
export function versionFrom(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidInputError('INVALID_VERSION', 'version must be the whole number the invoice showed (1 or more).');
  }
  return value;
}

/** Why an invoice is rejected: required, trimmed, at most REASON_MAX characters. */
export function rejectionReasonFrom(value: unknown): string {
  const reason = typeof value === 'string' ? value.trim() : '';
  if (reason === '') throw new InvalidInputError('REASON_REQUIRED', 'Say why the invoice is rejected (reason).');
  if (reason.length > REASON_MAX) throw new InvalidInputError('INVALID_REASON', `The reason must be at most ${REASON_MAX} characters.`);
  return reason;
}

/** The way in to filter invoices by (`source=folder`), or undefined for all. */
export function invoiceSourceFrom(value: string | null): InvoiceSourceKind | undefined {
  if (value === null) return undefined;
  if (!INVOICE_SOURCE_KINDS.includes(value as InvoiceSourceKind)) {
    throw new InvalidInputError('INVALID_SOURCE', `source must be one of ${INVOICE_SOURCE_KINDS.join(', ')}.`);
  }
  return value as InvoiceSourceKind;
}

/** How many rows a page holds. */
/** An invoice date bound of the list (`from`, `to`): a calendar date YYYY-MM-DD, or undefined when absent. */
export function invoiceDateFrom(value: string | null, name: 'from' | 'to'): string | undefined {
  if (value === null || value === '') return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  if (!valid)
    throw new InvalidInputError(
      'INVALID_DATE',
      `${name} must be a calendar date written YYYY-MM-DD (got ${JSON.stringify(value.slice(0, 40))}).`,
    );
  return value;
}

const SUPPLIER_MAX = 200;

/** The supplier filter of the list: part of the seller's name, at most 200 characters, no control characters. */
export function supplierFrom(value: string | null): string | undefined {
  const supplier = value?.trim() ?? '';
  if (supplier === '') return undefined;
  if (supplier.length > SUPPLIER_MAX || /[\u0000-\u001f\u007f]/.test(supplier)) {
    throw new InvalidInputError('INVALID_SUPPLIER', `supplier must be at most ${SUPPLIER_MAX} characters of text.`);
  }
  return supplier;
}

export function pageLimitFrom(value: string | null): number {
  const limit = Number(value ?? PAGE_LIMIT_DEFAULT);
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX) {
    throw new InvalidInputError('INVALID_LIMIT', `limit must be a whole number from 1 to ${PAGE_LIMIT_MAX}.`);
  }
  return limit;
}

// The list writes its cursors' times with toISOString(); anything else (`1`, a year 275760 that
// JavaScript reads and PostgreSQL does not) is not one of its cursors.
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([^_]+)$/;

/** A keyset cursor as the list gave it (`<created_at>_<id>`), or undefined for the first page. */
export function pageCursorFrom(value: string | null): { createdAt: string; id: string } | undefined {
  if (!value) return undefined;
  const [, createdAt, id] = CURSOR.exec(value) ?? [];
  if (!createdAt || !id || !isUuid(id) || Number.isNaN(Date.parse(createdAt))) {
    throw new InvalidInputError('INVALID_CURSOR', 'The cursor is not one this API gave.');
  }
  return { createdAt, id };
}

const SEARCH_MAX = 200;

/** The words searched for (`q`): PostgreSQL text holds no NUL, and no one searches for a control character. */
export function searchFrom(value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  if (value.length > SEARCH_MAX || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new InvalidInputError('INVALID_SEARCH', `q must be at most ${SEARCH_MAX} characters, with no control characters.`);
  }
  return value;
}

/** One of a few words (`format=csv`, `range=day`), or the first of them when not given. */
export function choiceFrom<T extends string>(value: string | null, choices: readonly [T, ...T[]], code: string, name: string): T {
  if (value === null) return choices[0];
  if (!choices.includes(value as T)) {
    throw new InvalidInputError(code, `${name} must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}.`);
  }
  return value as T;
}
