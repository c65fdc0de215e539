'use client';

import { useEffect, useRef, useState } from 'react';
import type { InvoiceDetail, ReviewReason } from '../../../src/invoices/views.ts';
import { formatDateTime, reasonOf, type Messages } from '../../i18n.ts';
import { WORKLIST_KEY } from '../../invoice-list.ts';
import { documentKindLabel, QueueNote, ReviewBadge } from '../../status-badge.tsx';

type Duplicate = Extract<ReviewReason, { code: 'DUPLICATE' }>;

/**
 * The review screen's header: the review state as the main badge, the document kind, why it is to
 * be checked, a link to the invoice it duplicates; a on the keyboard approves (the decision bar
 * holds the buttons), j / k go to the next / previous invoice of the inbox's list.
 */
export function ReviewBadges({ t, detail, onChange }: { t: Messages; detail: InvoiceDetail; onChange: () => Promise<void> }) {
  const [notice, setNotice] = useState('');
  const { review } = detail;
  const duplicate = review.reasons.find((reason): reason is Duplicate => reason.code === 'DUPLICATE');
  const decidable = detail.status === 'completed' && (review.state === 'to_review' || review.state === 'ready');

  const approve = async () => {
    const response = await fetch(`/api/invoices/${detail.invoiceId}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: detail.version }),
    });
    if (response.ok) {
      setNotice('');
      await onChange();
    } else {
      const result = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
      setNotice(reasonOf(t, result.error?.code, result.error?.message));
    }
  };

  const keys = useRef({ approve, decidable, invoiceId: detail.invoiceId });
  keys.current = { approve, decidable, invoiceId: detail.invoiceId };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.ctrlKey || event.metaKey || event.altKey || target?.closest('input, select, textarea, [contenteditable]')) return;
      if (event.key === 'a' && keys.current.decidable) void keys.current.approve();
      else if (event.key === 'j' || event.key === 'k') {
        const list = JSON.parse(window.sessionStorage.getItem(WORKLIST_KEY) ?? '[]') as string[];
        const next = list[list.indexOf(keys.current.invoiceId) + (event.key === 'j' ? 1 : -1)];
        if (next) window.location.assign(`/invoices/${next}`);
      } else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const reasons = review.reasons
    .filter((reason) => reason.code !== 'DUPLICATE')
    .map((reason) => t.worklist.reasons[reason.code] ?? reason.code);
  return (
    <div className="review-badges">
      <ReviewBadge t={t} row={detail} />
      <QueueNote t={t} row={detail} />
      {detail.extracted ? <span className="doc-kind">{documentKindLabel(t, detail.invoice.typeCode)}</span> : null}
      {review.state === 'to_review' && reasons.length > 0 ? <span className="meta">{reasons.join(', ')}</span> : null}
      {review.by && review.at && (review.state === 'approved' || review.state === 'rejected') ? (
        <span className="meta">
          {t.worklist.reviewedBy(review.by, formatDateTime(t, review.at))}
          {review.reason ? ` : ${review.reason}` : ''}
        </span>
      ) : null}
      {duplicate ? (
        <span className="duplicate" data-duplicate-of={duplicate.duplicateOf}>
          {t.worklist.duplicate[duplicate.match ?? 'file']} · <a href={`/invoices/${duplicate.duplicateOf}`}>{t.worklist.duplicateOf}</a>
        </span>
      ) : null}
      <span className="hint">{t.worklist.keyboard}</span>
      <span role="status" className="meta reason">
        {notice}
      </span>
    </div>
  );
}
