'use client';

// The decisions on an invoice in the review screen (its state is the header's badge): approve,
// reject (with a reason), reopen; delete with « Annuler » right after, and restore while it is deleted. Each call
// names the version shown, so a decision on a stale screen is refused rather than applied blindly.
import { useId, useState } from 'react';
import type { InvoiceDetail } from '../../../src/invoices/views.ts';
import { formatDateTime, type Locale, messages, reasonOf } from '../../i18n.ts';
import { fieldWords } from './fields-words.ts';

export function ReviewBar({
  locale,
  detail,
  onChange,
}: {
  locale: Locale;
  detail: InvoiceDetail;
  onChange: (detail: InvoiceDetail) => void;
}) {
  const t = messages(locale);
  const w = fieldWords(locale).review;
  const [notice, setNotice] = useState('');
  const [justDeleted, setJustDeleted] = useState(false);
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const { review, deleted } = detail;
  const open = review.state === 'to_review' || review.state === 'ready';

  const act = async (path: string, method: 'POST' | 'DELETE', body: Record<string, unknown> = {}) => {
    const response = await fetch(`/api/invoices/${detail.invoiceId}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: detail.version, ...body }),
    });
    const result = (await response.json()) as InvoiceDetail & { error?: { code: string; message: string } };
    if (result.error) {
      setNotice(reasonOf(t, result.error.code, result.error.message));
      return false;
    }
    setNotice('');
    onChange(result);
    return true;
  };

  if (deleted) {
    return (
      <section className="group panel review-bar" aria-label={w.restore}>
        <p role="status">{justDeleted ? w.justDeleted : w.deleted(formatDateTime(t, deleted.at))}</p>
        <p className="actions">
          <button
            type="button"
            className="button primary"
            onClick={async () => {
              if (await act('/restore', 'POST')) setJustDeleted(false);
            }}
          >
            {justDeleted ? w.undo : w.restore}
          </button>
        </p>
        <p className="meta reason">{notice}</p>
      </section>
    );
  }
  return (
    <section className="group panel review-bar" aria-label={t.review.actions}>
      <div className="actions">
        {open ? (
          <>
            <button type="button" className="button primary" onClick={() => void act('/approve', 'POST')}>
              {w.approve}
            </button>
            <div className="field">
              <label htmlFor={reasonId}>{w.rejectReason}</label>
              <input id={reasonId} value={reason} onChange={(event) => setReason(event.target.value)} />
            </div>
            <button
              type="button"
              className="button"
              disabled={reason.trim() === ''}
              onClick={() => void act('/reject', 'POST', { reason })}
            >
              {w.reject}
            </button>
          </>
        ) : null}
        {review.state === 'approved' || review.state === 'rejected' ? (
          <button type="button" className="button" onClick={() => void act('/reopen', 'POST')}>
            {w.reopen}
          </button>
        ) : null}
        <button
          type="button"
          className="button danger"
          onClick={async () => {
            if (await act('', 'DELETE')) setJustDeleted(true);
          }}
        >
          {w.delete}
        </button>
      </div>
      <p className="meta reason">{notice}</p>
    </section>
  );
}
