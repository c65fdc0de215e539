'use client';

import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { INVOICE_SOURCE_KINDS, type InvoicePage, type InvoiceSourceKind, type InvoiceStatus } from '../src/invoices/views.ts';
import { DropZone } from './drop-zone.tsx';
import { formatDate, formatMoney, formatSize, messages, reasonOf, type Locale, type Messages, type Status } from './i18n.ts';
import { invoiceListPath } from './invoice-list.ts';
import { useLiveStatus } from './live-status.ts';
import { StatusBadge } from './status-badge.tsx';

/** Files sent at once, one request each, so that one refused file does not refuse the others. */
const PARALLEL_UPLOADS = 3;
const STATUSES: Status[] = ['pending', 'processing', 'completed', 'failed'];

/** A file on its way to the server, or refused by it. */
interface Upload {
  key: string;
  fileName: string;
  refusal: string | null;
}

type ApiError = { error?: { code: string; message: string } };

/**
 * `initial`: the first page, rendered on the server with the page; null when it could not be read.
 * `initialSource`: the way in the URL asked for (`?source=folder`), '' for all.
 */
export function Inbox({
  locale,
  initial,
  initialSource,
}: {
  locale: Locale;
  initial: InvoicePage | null;
  initialSource: InvoiceSourceKind | '';
}) {
  const t = messages(locale);
  const [rows, setRows] = useState<InvoiceStatus[]>(initial?.invoices ?? []);
  const [loaded, setLoaded] = useState(initial !== null);
  const [nextCursor, setNextCursor] = useState<string | null>(initial?.nextCursor ?? null);
  const rendered = useRef(initial !== null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [filter, setFilter] = useState<Status | ''>('');
  const [source, setSource] = useState<InvoiceSourceKind | ''>(initialSource);
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState('');
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [notice, setNotice] = useState('');
  const filterId = useId();
  const sourceId = useId();
  const searchId = useId();

  const cursor = cursors.at(-1) ?? null;

  const load = useCallback(async () => {
    try {
      const response = await fetch(invoiceListPath({ status: filter, source, search, cursor }), { cache: 'no-store' });
      if (!response.ok) return;
      const page = (await response.json()) as InvoicePage;
      setRows(page.invoices);
      setNextCursor(page.nextCursor);
      setLoaded(true);
    } catch {
      setNotice(t.reasons.network!);
    }
  }, [filter, source, search, cursor, t]);

  useEffect(() => {
    // The server rendered the first page with the page: no need to ask for it again.
    if (rendered.current) {
      rendered.current = false;
      return;
    }
    void load();
  }, [load]);

  useEffect(() => {
    const timer = setTimeout(() => setSearch(query.trim()), 300);
    return () => clearTimeout(timer);
  }, [query]);

  const replace = useCallback((status: InvoiceStatus) => {
    setRows((current) => current.map((row) => (row.invoiceId === status.invoiceId ? status : row)));
  }, []);

  const active = rows.filter((row) => row.status === 'pending' || row.status === 'processing').map((row) => row.invoiceId);
  const { slow } = useLiveStatus(active, replace);

  const sendOne = async (file: File, key: string) => {
    const body = new FormData();
    body.append('file', file, file.name);
    try {
      const response = await fetch('/api/upload', { method: 'POST', body });
      const result = (await response.json()) as { invoices?: { invoiceId: string }[] } & ApiError;
      if (!response.ok || !result.invoices) {
        const refusal = reasonOf(t, result.error?.code, result.error?.message);
        setUploads((current) => current.map((u) => (u.key === key ? { ...u, refusal } : u)));
        return 0;
      }
      const statuses = await Promise.all(
        result.invoices.map(
          async ({ invoiceId }) =>
            (await (await fetch(`/api/queue/status?invoiceId=${invoiceId}`, { cache: 'no-store' })).json()) as InvoiceStatus,
        ),
      );
      setRows((current) => [...statuses, ...current.filter((row) => !statuses.some((s) => s.invoiceId === row.invoiceId))]);
      setUploads((current) => current.filter((u) => u.key !== key));
      return 1;
    } catch {
      setUploads((current) => current.map((u) => (u.key === key ? { ...u, refusal: t.reasons.network! } : u)));
      return 0;
    }
  };

  const upload = async (files: File[]) => {
    const batch = files.map((file, i) => ({ file, key: `${Date.now()}-${i}-${file.name}` }));
    setUploads((current) => [...batch.map(({ file, key }) => ({ key, fileName: file.name, refusal: null })), ...current]);
    setNotice('');
    let received = 0;
    const queue = [...batch];
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL_UPLOADS, queue.length) }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const accepted = await sendOne(next.file, next.key);
          received += accepted;
        }
      }),
    );
    setNotice(t.inbox.received(received));
  };

  const retry = async (invoiceId: string) => {
    const response = await fetch(`/api/invoices/${invoiceId}/retry`, { method: 'POST' });
    if (response.ok) replace((await response.json()) as InvoiceStatus);
    else void load();
  };

  const firstPage = () => setCursors([null]);

  const chooseSource = (next: InvoiceSourceKind | '') => {
    setSource(next);
    firstPage();
    // In the address bar too: the filtered inbox can be bookmarked, reloaded and shared.
    const url = new URL(window.location.href);
    if (next) url.searchParams.set('source', next);
    else url.searchParams.delete('source');
    window.history.replaceState(window.history.state, '', url);
  };

  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">{t.inbox.title}</h1>
      <p className="lead">{t.inbox.intro}</p>
      <DropZone t={t} onFiles={(files) => void upload(files)} />
      <p role="status" className="notice">
        {notice}
      </p>

      <div className="toolbar">
        <div className="field">
          <label htmlFor={filterId}>{t.inbox.filter}</label>
          <select
            id={filterId}
            value={filter}
            onChange={(event) => {
              setFilter(event.target.value as Status | '');
              firstPage();
            }}
          >
            <option value="">{t.inbox.all}</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {t.status[status]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={sourceId}>{t.inbox.sourceFilter}</label>
          <select id={sourceId} value={source} onChange={(event) => chooseSource(event.target.value as InvoiceSourceKind | '')}>
            <option value="">{t.inbox.allSources}</option>
            {INVOICE_SOURCE_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t.source[kind]}
              </option>
            ))}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor={searchId}>{t.inbox.search}</label>
          <input
            id={searchId}
            type="search"
            value={query}
            onChange={(event) => {
              setQuery(event.target.value);
              firstPage();
            }}
          />
        </div>
        <p className="live hint" aria-live="off">
          <span className={slow ? 'dot slow' : 'dot'} aria-hidden="true" /> {slow ? t.inbox.slow : t.inbox.live}
        </p>
      </div>

      <table className="invoices">
        <caption className="visually-hidden">{t.inbox.title}</caption>
        <thead>
          <tr>
            <th scope="col" className="col-file">
              {t.inbox.file}
            </th>
            <th scope="col" className="col-status">
              {t.inbox.statusColumn}
            </th>
            <th scope="col" className="col-seller">
              {t.inbox.seller}
            </th>
            <th scope="col" className="col-number">
              {t.inbox.number}
            </th>
            <th scope="col" className="col-date">
              {t.inbox.date}
            </th>
            <th scope="col" className="col-total">
              {t.inbox.total}
            </th>
            <th scope="col" className="col-actions">
              <span className="visually-hidden">{t.inbox.actions}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {uploads.map((upload) => (
            <UploadRow
              key={upload.key}
              t={t}
              upload={upload}
              onDismiss={() => setUploads((current) => current.filter((u) => u.key !== upload.key))}
            />
          ))}
          {rows.map((row) => (
            <InvoiceRow key={row.invoiceId} t={t} row={row} onRetry={() => void retry(row.invoiceId)} />
          ))}
        </tbody>
      </table>
      {loaded && rows.length === 0 && uploads.length === 0 ? (
        <p className="empty">{filter || source || search ? t.inbox.noMatch : t.inbox.empty}</p>
      ) : null}

      <nav className="pager" aria-label={t.inbox.page(cursors.length)}>
        <button
          type="button"
          className="button"
          disabled={cursors.length === 1}
          onClick={() => setCursors((current) => current.slice(0, -1))}
        >
          {t.inbox.previous}
        </button>
        <span>{t.inbox.page(cursors.length)}</span>
        <button type="button" className="button" disabled={!nextCursor} onClick={() => setCursors((current) => [...current, nextCursor])}>
          {t.inbox.next}
        </button>
      </nav>
    </section>
  );
}

function UploadRow({ t, upload, onDismiss }: { t: Messages; upload: Upload; onDismiss: () => void }) {
  return (
    <tr data-upload={upload.fileName}>
      <td className="col-file" data-label={t.inbox.file}>
        <span className="file-name">{upload.fileName}</span>
        <span className={upload.refusal ? 'meta reason' : 'meta'}>{upload.refusal ?? '\u00a0'}</span>
      </td>
      <td className="col-status" data-label={t.inbox.statusColumn}>
        <StatusBadge t={t} status={upload.refusal ? 'refused' : 'sending'} />
      </td>
      <td className="col-seller" />
      <td className="col-number" />
      <td className="col-date" />
      <td className="col-total" />
      <td className="col-actions">
        {upload.refusal ? (
          <button type="button" className="button small" onClick={onDismiss} aria-label={t.inbox.dismiss(upload.fileName)}>
            ×
          </button>
        ) : null}
      </td>
    </tr>
  );
}

function InvoiceRow({ t, row, onRetry }: { t: Messages; row: InvoiceStatus; onRetry: () => void }) {
  const { invoice } = row;
  const failed = row.status === 'failed';
  return (
    <tr data-invoice={row.invoiceId} data-file={invoice.fileName}>
      <td className="col-file" data-label={t.inbox.file}>
        <a className="file-name" href={`/invoices/${row.invoiceId}`}>
          {invoice.fileName}
        </a>
        <span className="meta">
          <span className="source-tag" data-source={invoice.source.kind} title={invoice.source.details.folder}>
            {t.source[invoice.source.kind]}
          </span>
          {' · '}
          {failed ? (
            <span className="reason" title={reasonOf(t, row.errorCode, row.lastError)}>
              {reasonOf(t, row.errorCode, row.lastError)}
            </span>
          ) : (
            formatSize(t, invoice.sizeBytes)
          )}
        </span>
      </td>
      <td className="col-status" data-label={t.inbox.statusColumn}>
        <StatusBadge t={t} status={row.status} />
        <span className="meta">{row.attempts > 0 ? t.inbox.attempt(row.attempts, row.maxAttempts) : '\u00a0'}</span>
      </td>
      <td className="col-seller" data-label={t.inbox.seller}>
        {invoice.seller}
      </td>
      <td className="col-number" data-label={t.inbox.number}>
        {invoice.number}
      </td>
      <td className="col-date" data-label={t.inbox.date}>
        {formatDate(t, invoice.issueDate)}
      </td>
      <td className="col-total amount" data-label={t.inbox.total}>
        {formatMoney(t, invoice.totalWithVat, invoice.currency)}
      </td>
      <td className="col-actions">
        {failed ? (
          <button type="button" className="button small" onClick={onRetry} aria-label={t.inbox.retryLabel(invoice.fileName)}>
            {t.inbox.retry}
          </button>
        ) : null}
      </td>
    </tr>
  );
}
