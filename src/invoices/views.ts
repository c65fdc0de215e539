// The JSON the API answers and the pages read: types only, so that a page imports them without
// the SQL that fills them (src/invoices/reads.ts).
import type { NormalisedInvoice } from '../einvoice/model.ts';
import type { Correction } from './corrections.ts';
import type { AttemptView } from '../queue/history.ts';
import type { JobStatus } from '../queue/job.ts';

export type { AttemptView };

/** The way an invoice came in; `mailbox` and `webhook` are for the e-mail ways in to come. */
export const INVOICE_SOURCE_KINDS = ['upload', 'api', 'cli', 'folder', 'mailbox', 'webhook'] as const;
export type InvoiceSourceKind = (typeof INVOICE_SOURCE_KINDS)[number];

/** Where an invoice came from: the way in and a few details of it (a folder's path…). */
export interface InvoiceSource {
  kind: InvoiceSourceKind;
  details: Record<string, string>;
}

/** What a list row or a status answer says about an invoice, once extracted. */
export interface InvoiceSummary {
  fileName: string;
  source: InvoiceSource;
  mediaType: string;
  sizeBytes: number;
  format: string | null;
  number?: string;
  issueDate?: string;
  seller?: string;
  totalWithVat?: string;
  currency?: string;
  /** BT-3, UNTDID 1001: 380 invoice, 381 credit note, 384 corrected invoice… Amounts stay positive whatever it is. */
  typeCode?: string;
  errors: number;
  warnings: number;
}

export interface InvoiceJobView {
  jobId: string;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  priority: number;
  /**
   * The owner's own pending jobs that will be claimed before this one (other owners' are never
   * counted), up to `POSITION_COUNTED_UP_TO` (that number means at least as many); null unless
   * pending.
   */
  position: number | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /** When a pending job may run (a retry's backoff); null otherwise. */
  nextRunAt: string | null;
  lastError: string | null;
  errorCode: string | null;
}

export interface InvoiceStatus extends InvoiceJobView {
  invoiceId: string;
  invoice: InvoiceSummary;
  /** Grows on every write of the invoice: what a change names to be refused when stale. */
  version: number;
  review: ReviewView;
}

export interface InvoicePage {
  invoices: InvoiceStatus[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export interface InvoiceDetail extends InvoiceStatus {
  /** The invoice as booked: the extraction with people's corrections applied and re-validated. */
  extracted: NormalisedInvoice | null;
  /** Every correction, oldest first (src/invoices/corrections.ts). */
  corrections: Correction[];
  /** Who deleted the invoice and when, while it is deleted (restorable until the retention passes). */
  deleted: { by: string; at: string } | null;
  /** Every attempt of every job of the invoice, oldest first. */
  history: AttemptView[];
  /** Every review transition, oldest first. */
  reviewHistory: ReviewEvent[];
}

/** The accountant's state of an invoice, apart from its job's: see src/invoices/review.ts. */
export type ReviewState = 'to_review' | 'ready' | 'approved' | 'rejected';

/** Why an extracted invoice needs a person's eye: a stable code and what it is about. */
export type ReviewReason =
  | { code: 'ERRORS'; rules: string[] }
  | { code: 'LOW_CONFIDENCE'; terms: string[] }
  | { code: 'UNKNOWN_CURRENCY'; terms: ['BT-5']; value: string | null }
  /** `match`: the same file, the same supplier and number, or the same supplier, date and total (absent on older rows: the same file). */
  | { code: 'DUPLICATE'; duplicateOf: string; match?: DuplicateMatch }
  | { code: 'PRE_REVIEW' };

/** How an invoice repeats an earlier one. */
export type DuplicateMatch = 'file' | 'number' | 'date_total';

/** The review as the API shows it; `state` is null until the extraction is stored. */
export interface ReviewView {
  state: ReviewState | null;
  reasons: ReviewReason[];
  /** Who approved or rejected it, when, and why (a rejection); null for the derived states. */
  by: string | null;
  at: string | null;
  reason: string | null;
}

/** One transition of the review trail; `by` is `facteur` for the state derived at extraction. */
export interface ReviewEvent {
  from: ReviewState | null;
  to: ReviewState;
  by: string;
  at: string;
  reason: string | null;
}
