import { documentKind } from '../src/invoices/amounts.ts';
import type { InvoiceStatus, ReviewState } from '../src/invoices/views.ts';
import type { Messages, Status } from './i18n.ts';

/** A job's status as a badge of fixed width, so that rows do not move when it changes. */
export function StatusBadge({ t, status }: { t: Messages; status: Status | 'sending' | 'refused' }) {
  const label = status === 'sending' ? t.sending : status === 'refused' ? t.refused : t.status[status];
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {label}
    </span>
  );
}

/**
 * The accountant's badge: the review state once the invoice is read (à vérifier, prête, validée,
 * rejetée); before that, or when reading failed, the queue's state in plain words. The queue state
 * is secondary (`QueueNote`), never « essai 1/3 ».
 */
export function ReviewBadge({ t, row }: { t: Messages; row: Pick<InvoiceStatus, 'status' | 'review'> }) {
  const state: ReviewState | null = row.status === 'completed' ? row.review.state : null;
  if (state === null) return <StatusBadge t={t} status={row.status} />;
  return (
    <span className={`badge review-${state}`} data-review={state}>
      {t.reviewStates[state]}
    </span>
  );
}

/** What the queue is doing with the invoice, when that is worth a word: waiting, being read, a retry planned. */
export function QueueNote({ t, row }: { t: Messages; row: Pick<InvoiceStatus, 'status' | 'attempts'> }) {
  const words =
    row.status === 'pending'
      ? row.attempts > 0
        ? t.worklist.retrying
        : t.worklist.queued
      : row.status === 'processing'
        ? t.worklist.processing
        : row.status === 'failed'
          ? t.worklist.failed
          : null;
  return (
    <span className="meta" data-queue={row.status}>
      {words ?? '\u00a0'}
    </span>
  );
}

/** The document kind in words: Facture, Avoir, Facture rectificative, or what BT-3 names. */
export function documentKindLabel(t: Messages, typeCode: string | undefined): string {
  const kind = documentKind(typeCode);
  if (kind !== 'other') return t.documentKinds[kind] ?? '';
  const name = typeCode ? t.typeCodes[typeCode] : undefined;
  return name ? name.charAt(0).toUpperCase() + name.slice(1) : `${t.worklist.type} ${typeCode ?? ''}`.trim();
}
