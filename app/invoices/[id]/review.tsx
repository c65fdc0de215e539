'use client';

import { type ReactNode, useCallback, useEffect, useId, useState } from 'react';
import type { NormalisedInvoice, TermRecord } from '../../../src/einvoice/model.ts';
import { vatCategoryName } from '../../../src/einvoice/validate/messages.ts';
import { displayedAmount } from '../../../src/invoices/amounts.ts';
import type { InvoiceDetail, InvoiceStatus } from '../../../src/invoices/views.ts';
import { formatDate, formatDateTime, formatMoney, formatNumber, messages, reasonOf, type Locale, type Messages } from '../../i18n.ts';
import { useLiveStatus } from '../../live-status.ts';
import { AttemptHistory } from './attempt-history.tsx';
import { DocumentViewer } from './document-viewer.tsx';
import { CorrectableFields } from './fields-editor.tsx';
import { Findings } from './findings.tsx';
import { InvoiceOrigin } from './origin.tsx';
import { ReviewBadges } from './review-badges.tsx';
import { ReviewBar } from './review-bar.tsx';
import { TermGroup } from './terms.tsx';

const PRIORITIES = ['-10', '0', '10', '100'];
const live = (status: InvoiceStatus['status']) => status === 'pending' || status === 'processing';

export function InvoiceReview({ locale, invoiceId }: { locale: Locale; invoiceId: string }) {
  const t = messages(locale);
  const [detail, setDetail] = useState<InvoiceDetail | null | 'missing'>(null);

  const load = useCallback(async () => {
    const response = await fetch(`/api/invoices/${invoiceId}`, { cache: 'no-store' });
    if (response.status === 404 || response.status === 400) setDetail('missing');
    else if (response.ok) setDetail((await response.json()) as InvoiceDetail);
  }, [invoiceId]);

  useEffect(() => {
    void load();
  }, [load]);

  const following = detail && detail !== 'missing' && live(detail.status) ? [invoiceId] : [];
  useLiveStatus(following, (status) => {
    if (live(status.status)) setDetail((current) => (current && current !== 'missing' ? { ...current, ...status } : current));
    else void load();
  });

  if (detail === null) return <p>{t.review.loading}</p>;
  if (detail === 'missing') return <p>{t.review.notFound}</p>;

  const { invoice, extracted } = detail;
  return (
    <article>
      <p>
        <a href="/">← {t.review.back}</a>
      </p>
      <header className="review-head">
        <h1>{t.review.title(invoice.number, invoice.fileName)}</h1>
        <ReviewBadges t={t} detail={detail} onChange={load} />
        <span className="hint">
          {invoice.fileName} · {formatDateTime(t, detail.createdAt)}
        </span>
      </header>
      <div className="review">
        <DocumentViewer t={t} invoiceId={invoiceId} mediaType={invoice.mediaType} fileName={invoice.fileName} />
        <div className="fields">
          <ReviewBar locale={locale} detail={detail} onChange={setDetail} />
          <ReviewActions t={t} detail={detail} onChange={(status) => setDetail({ ...detail, ...status })} />
          <InvoiceOrigin t={t} source={invoice.source} />
          {detail.status === 'failed' ? (
            <p className="panel meta reason" role="alert">
              {reasonOf(t, detail.errorCode, detail.lastError)}
            </p>
          ) : null}
          {extracted ? (
            <>
              <CorrectableFields locale={locale} detail={detail} onChange={setDetail}>
                <ExtractedInvoice t={t} invoice={extracted} />
              </CorrectableFields>
              <Findings t={t} invoice={extracted} />
            </>
          ) : (
            <p className="panel hint">{t.review.waiting}</p>
          )}
          <AttemptHistory t={t} history={detail.history} />
        </div>
      </div>
    </article>
  );
}

function address(
  record: TermRecord,
  line: keyof TermRecord,
  post: keyof TermRecord,
  city: keyof TermRecord,
  country: keyof TermRecord,
): string | undefined {
  const parts = [record[line], [record[post], record[city]].filter(Boolean).join(' '), record[country]].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** A French legal registration id by its length: a SIREN has 9 digits, a SIRET 14 (SIREN + establishment). */
function legalIdLabel(value: string | undefined): string {
  const digits = value?.replace(/\s/g, '') ?? '';
  return /^\d{14}$/.test(digits) ? 'SIRET' : /^\d{9}$/.test(digits) ? 'SIREN' : 'SIREN / SIRET';
}

function ExtractedInvoice({ t, invoice }: { t: Messages; invoice: NormalisedInvoice }) {
  const f = invoice.fields;
  // A credit note's amounts are stored positive and shown negative, like everywhere people see them.
  const money = (value: string | undefined) => formatMoney(t, displayedAmount(value, f['BT-3']), f['BT-5']);
  const percent = (value: string | undefined) =>
    value === undefined ? '' : `${formatNumber(t, value)}${t.tag === 'fr-FR' ? '\u202f' : ''}%`;
  const type = f['BT-3'] ? `${t.typeCodes[f['BT-3']] ?? ''} (${f['BT-3']})`.trim() : undefined;
  return (
    <>
      <TermGroup
        t={t}
        title={t.review.document_}
        invoice={invoice}
        items={[
          { term: 'BT-1', value: f['BT-1'] },
          { term: 'BT-3', value: type },
          { term: 'BT-2', value: formatDate(t, f['BT-2']) },
          { term: 'BT-9', value: formatDate(t, f['BT-9']) },
          { term: 'BT-72', value: formatDate(t, f['BT-72']) },
          { term: 'BT-5', value: f['BT-5'] },
          { term: 'BT-13', value: f['BT-13'] },
          { term: 'BT-10', value: f['BT-10'] },
        ]}
      />
      <div className="parties">
        <TermGroup
          t={t}
          title={t.review.seller}
          invoice={invoice}
          items={[
            { term: 'BT-27', value: f['BT-27'] },
            { term: 'BT-30', label: legalIdLabel(f['BT-30']), value: f['BT-30'] },
            { term: 'BT-31', value: f['BT-31'] },
            {
              term: 'seller-address',
              label: t.terms.address,
              value: address(f, 'BT-35', 'BT-38', 'BT-37', 'BT-40'),
              terms: ['BT-35', 'BT-38', 'BT-37', 'BT-40'],
            },
            { term: 'BT-34', value: f['BT-34'] },
          ]}
        />
        <TermGroup
          t={t}
          title={t.review.buyer}
          invoice={invoice}
          items={[
            { term: 'BT-44', value: f['BT-44'] },
            { term: 'BT-47', label: legalIdLabel(f['BT-47']), value: f['BT-47'] },
            { term: 'BT-48', value: f['BT-48'] },
            {
              term: 'buyer-address',
              label: t.terms.address,
              value: address(f, 'BT-50', 'BT-53', 'BT-52', 'BT-55'),
              terms: ['BT-50', 'BT-53', 'BT-52', 'BT-55'],
            },
            { term: 'BT-49', value: f['BT-49'] },
          ]}
        />
      </div>
      <TermGroup
        t={t}
        title={t.review.totals}
        invoice={invoice}
        className="totals"
        items={(['BT-106', 'BT-107', 'BT-108', 'BT-109', 'BT-110', 'BT-112', 'BT-113', 'BT-115'] as const).map((term) => ({
          term,
          value: money(f[term]),
        }))}
      />
      <RecordTable
        id="vat"
        title={t.review.vat}
        records={invoice.vatBreakdown}
        columns={[
          { header: t.review.category, cell: (vat) => vatCategoryName(vat['BT-118'], t.tag === 'fr-FR' ? 'fr' : 'en') },
          { header: t.review.rate, amount: true, cell: (vat) => percent(vat['BT-119']) },
          { header: t.review.base, amount: true, cell: (vat) => money(vat['BT-116']) },
          { header: t.review.amount, amount: true, cell: (vat) => money(vat['BT-117']) },
        ]}
      />
      <RecordTable
        id="lines"
        title={t.review.lines}
        records={invoice.lines}
        columns={[
          { header: t.review.lineNo, cell: (line) => line['BT-126'] },
          { header: t.review.item, cell: (line) => line['BT-153'] },
          { header: t.review.quantity, amount: true, cell: (line) => formatNumber(t, line['BT-129']) },
          { header: t.review.unitPrice, amount: true, cell: (line) => money(line['BT-146']) },
          { header: t.review.lineTotal, amount: true, cell: (line) => money(line['BT-131']) },
        ]}
      />
      <TermGroup
        t={t}
        title={t.review.payment}
        invoice={invoice}
        items={[
          { term: 'BT-84', value: f['BT-84'], wide: true },
          { term: 'BT-86', value: f['BT-86'] },
          { term: 'BT-20', value: f['BT-20'], wide: true },
        ]}
      />
    </>
  );
}

function ReviewActions({ t, detail, onChange }: { t: Messages; detail: InvoiceDetail; onChange: (status: InvoiceStatus) => void }) {
  const [priority, setPriority] = useState(String(PRIORITIES.includes(String(detail.priority)) ? detail.priority : 0));
  const [notice, setNotice] = useState('');
  const priorityId = useId();
  const busy = live(detail.status);

  const send = async (path: string, body: unknown) => {
    const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const result = (await response.json()) as InvoiceStatus & { error?: { code: string; message: string } };
    if (result.error) setNotice(reasonOf(t, result.error.code, result.error.message));
    else {
      setNotice('');
      onChange(result);
    }
  };

  const base = `/api/invoices/${detail.invoiceId}/export`;
  return (
    <section className="group panel" aria-labelledby="actions-title">
      <h2 id="actions-title">{t.review.actions}</h2>
      <div className="actions">
        <button
          type="button"
          className="button primary"
          disabled={busy}
          onClick={() => void send('/api/queue/add', { invoiceId: detail.invoiceId, priority: Number(priority) })}
        >
          {t.review.reprocess}
        </button>
        <div className="field">
          <label htmlFor={priorityId}>{t.review.priority}</label>
          <select id={priorityId} value={priority} onChange={(event) => setPriority(event.target.value)}>
            {PRIORITIES.map((value) => (
              <option key={value} value={value}>
                {t.review.priorities[value]}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          className="button"
          disabled={detail.status !== 'pending'}
          title={detail.status !== 'pending' ? t.review.priorityHint : undefined}
          onClick={() => void send(`/api/invoices/${detail.invoiceId}/priority`, { priority: Number(priority) })}
        >
          {t.review.setPriority}
        </button>
      </div>
      {detail.extracted ? (
        <p className="actions downloads">
          <a className="button" href={`${base}?format=json`} download>
            {t.review.downloadJson}
          </a>
          <a className="button" href={`${base}?format=csv`} download>
            {t.review.downloadCsv}
          </a>
        </p>
      ) : null}
      <p role="status" className="meta reason">
        {notice}
      </p>
    </section>
  );
}

interface Column {
  header: string;
  /** Right-aligned, in tabular figures. */
  amount?: boolean;
  cell: (record: TermRecord) => ReactNode;
}

/** A group of repeated terms (VAT breakdown, lines) as a table; nothing when there are none. */
function RecordTable({ id, title, records, columns }: { id: string; title: string; records: TermRecord[]; columns: Column[] }) {
  if (records.length === 0) return null;
  const align = (column: Column) => (column.amount ? 'amount' : undefined);
  return (
    <section className="group panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <div className="table-scroll">
        <table className={id}>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column.header} scope="col" className={align(column)}>
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {records.map((record, index) => (
              <tr key={index}>
                {columns.map((column) => (
                  <td key={column.header} className={align(column)}>
                    {column.cell(record)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
