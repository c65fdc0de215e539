'use client';

import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { displayedAmount } from '../src/invoices/amounts.ts';
import { INVOICE_SOURCE_KINDS, type InvoicePage, type InvoiceStatus, type ReviewReason } from '../src/invoices/views.ts';
import { DropZone } from './drop-zone.tsx';
import { formatDate, formatMoney, formatSize, messages, reasonOf, type Locale, type Messages, type Status } from './i18n.ts';
import { exportPath, filterQuery, invoiceListPath, REVIEW_STATES, WORKLIST_KEY, type InboxFilters } from './invoice-list.ts';
import { useLiveStatus } from './live-status.ts';
import { documentKindLabel, QueueNote, ReviewBadge, StatusBadge } from './status-badge.tsx';

/** Files sent at once, one request each, so that one refused file does not refuse the others. */
const PARALLEL_UPLOADS = 3;
const STATUSES: Status[] = ['pending', 'processing', 'completed', 'failed'];
/** Refused files are kept in the browser, so that the reason is still there after a reload. */
const REFUSALS_KEY = 'facteur:refusals';

/** A file on its way to the server, or refused by it. */
interface Upload {
  key: string;
  fileName: string;
  refusal: string | null;
}

type ApiError = { error?: { code: string; message: string } };

/** An invoice the person can decide on: read, and not decided yet. */
const decidable = (row: InvoiceStatus) => row.status === 'completed' && (row.review.state === 'to_review' || row.review.state === 'ready');

/**
 * `initial`: the first page, rendered on the server with the page; null when it could not be read.
 * `initialFilters`: the filters the URL asked for.
 */
export function Inbox({ locale, initial, initialFilters }: { locale: Locale; initial: InvoicePage | null; initialFilters: InboxFilters }) {
  const t = messages(locale);
  const [rows, setRows] = useState<InvoiceStatus[]>(initial?.invoices ?? []);
  const [loaded, setLoaded] = useState(initial !== null);
  const [nextCursor, setNextCursor] = useState<string | null>(initial?.nextCursor ?? null);
  const rendered = useRef(initial !== null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [filters, setFilters] = useState<InboxFilters>(initialFilters);
  const [query, setQuery] = useState(initialFilters.q);
  const [supplier, setSupplier] = useState(initialFilters.supplier);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [reuploads, setReuploads] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState('');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [current, setCurrent] = useState(-1);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const retried = useRef(new Map<string, string>());
  const ids = { review: useId(), status: useId(), source: useId(), supplier: useId(), from: useId(), to: useId(), search: useId() };
  const reasonId = useId();

  const cursor = cursors.at(-1) ?? null;

  const load = useCallback(async () => {
    try {
      const response = await fetch(invoiceListPath(filters, cursor), { cache: 'no-store' });
      if (!response.ok) return;
      const page = (await response.json()) as InvoicePage;
      setRows(page.invoices);
      setNextCursor(page.nextCursor);
      setLoaded(true);
      setSelected((chosen) => new Set(page.invoices.filter((row) => chosen.has(row.invoiceId)).map((row) => row.invoiceId)));
    } catch {
      setNotice(t.reasons.network!);
    }
  }, [filters, cursor, t]);

  useEffect(() => {
    // The server rendered the first page with the page: no need to ask for it again.
    if (rendered.current) {
      rendered.current = false;
      return;
    }
    void load();
  }, [load]);

  // Refused files outlive a reload: read back once, written on every change.
  useEffect(() => {
    try {
      const kept = JSON.parse(window.localStorage.getItem(REFUSALS_KEY) ?? '[]') as Upload[];
      if (Array.isArray(kept) && kept.length > 0) setUploads((current) => [...current, ...kept.filter((u) => u.refusal)]);
    } catch {
      window.localStorage.removeItem(REFUSALS_KEY);
    }
  }, []);
  useEffect(() => {
    window.localStorage.setItem(REFUSALS_KEY, JSON.stringify(uploads.filter((u) => u.refusal)));
  }, [uploads]);

  // The rows in order, for j / k on the review screen.
  useEffect(() => {
    window.sessionStorage.setItem(WORKLIST_KEY, JSON.stringify(rows.map((row) => row.invoiceId)));
  }, [rows]);

  /** Changes the filters, in the address bar too: the filtered inbox can be bookmarked, reloaded and shared. */
  const filter = useCallback((change: Partial<InboxFilters>) => {
    setFilters((before) => {
      const next = { ...before, ...change };
      const url = new URL(window.location.href);
      url.search = filterQuery(next).toString();
      window.history.replaceState(window.history.state, '', url);
      return next;
    });
    setCursors([null]);
    setCurrent(-1);
  }, []);

  useEffect(() => {
    const timer = setTimeout(() => {
      if (query.trim() !== filters.q) filter({ q: query.trim() });
      if (supplier.trim() !== filters.supplier) filter({ supplier: supplier.trim() });
    }, 300);
    return () => clearTimeout(timer);
  }, [query, supplier, filters.q, filters.supplier, filter]);

  const replace = useCallback(
    (status: InvoiceStatus) => {
      setRows((current) => current.map((row) => (row.invoiceId === status.invoiceId ? status : row)));
      const name = retried.current.get(status.invoiceId);
      if (name && (status.status === 'completed' || status.status === 'failed')) {
        retried.current.delete(status.invoiceId);
        setNotice(t.worklist.retryOutcome(name, status.status === 'completed'));
      }
    },
    [t],
  );

  const active = rows.filter((row) => row.status === 'pending' || row.status === 'processing').map((row) => row.invoiceId);
  const { slow } = useLiveStatus(active, replace);

  const sendOne = async (file: File, key: string) => {
    const body = new FormData();
    body.append('file', file, file.name);
    try {
      const response = await fetch('/api/upload', { method: 'POST', body });
      const result = (await response.json()) as { invoices?: { invoiceId: string; duplicateOf?: string }[] } & ApiError;
      if (!response.ok || !result.invoices) {
        const refusal = reasonOf(t, result.error?.code, result.error?.message);
        setUploads((current) => current.map((u) => (u.key === key ? { ...u, refusal } : u)));
        return 0;
      }
      const again = result.invoices.filter((invoice) => invoice.duplicateOf);
      if (again.length > 0) {
        setReuploads((current) => ({
          ...current,
          ...Object.fromEntries(again.map((invoice) => [invoice.invoiceId, invoice.duplicateOf!])),
        }));
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
    setNotice(t.worklist.dropped(batch.length, received));
  };

  const retry = async (row: InvoiceStatus) => {
    const response = await fetch(`/api/invoices/${row.invoiceId}/retry`, { method: 'POST' });
    if (response.ok) {
      retried.current.set(row.invoiceId, row.invoice.fileName);
      setNotice(t.worklist.retried(row.invoice.fileName));
      replace((await response.json()) as InvoiceStatus);
    } else {
      const result = (await response.json().catch(() => ({}))) as ApiError;
      setNotice(
        `${t.worklist.retryRefused}${t.tag === 'fr-FR' ? '\u202f' : ''}: ${reasonOf(t, result.error?.code, result.error?.message)}`,
      );
      void load();
    }
  };

  /** One request per invoice, the version each row showed: a row changed meanwhile is refused, not overwritten. */
  const decide = async (chosen: InvoiceStatus[], action: 'approve' | 'reject', rejection?: string) => {
    let done = 0;
    for (const row of chosen) {
      const response = await fetch(`/api/invoices/${row.invoiceId}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ version: row.version, ...(rejection ? { reason: rejection } : {}) }),
      });
      if (response.ok) done += 1;
    }
    setNotice(t.worklist.done(action === 'approve' ? t.worklist.approved : t.worklist.rejected, done, chosen.length - done));
    setSelected(new Set());
    await load();
  };

  const remove = async (chosen: InvoiceStatus[]) => {
    let done = 0;
    let unavailable = false;
    for (const row of chosen) {
      const response = await fetch(`/api/invoices/${row.invoiceId}`, { method: 'DELETE' });
      if (response.ok) done += 1;
      else if (response.status === 405 || response.status === 404) unavailable = true;
    }
    setNotice(unavailable && done === 0 ? t.worklist.removeUnavailable : t.worklist.done(t.worklist.removed, done, chosen.length - done));
    setSelected(new Set());
    await load();
  };

  const chosenRows = rows.filter((row) => selected.has(row.invoiceId));
  const toggle = (invoiceId: string) =>
    setSelected((before) => {
      const next = new Set(before);
      if (!next.delete(invoiceId)) next.add(invoiceId);
      return next;
    });

  // j / k move through the rows, a approves the current one, x selects it, Enter opens it; not while typing.
  const keys = useRef({ rows, current, decide, toggle });
  keys.current = { rows, current, decide, toggle };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.ctrlKey || event.metaKey || event.altKey || target?.closest('input, select, textarea, [contenteditable]')) return;
      const { rows: list, current: at } = keys.current;
      const row = list[at];
      if (event.key === 'j' || event.key === 'k') {
        const next = Math.max(0, Math.min(list.length - 1, at + (event.key === 'j' ? 1 : -1)));
        setCurrent(next);
        document.querySelector(`tr[data-invoice="${list[next]?.invoiceId}"]`)?.scrollIntoView({ block: 'nearest' });
      } else if (event.key === 'a' && row && decidable(row)) void keys.current.decide([row], 'approve');
      else if (event.key === 'x' && row) keys.current.toggle(row.invoiceId);
      else if (event.key === 'Enter' && row && target === document.body) window.location.assign(`/invoices/${row.invoiceId}`);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const filtered = Object.values(filters).some(Boolean);

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
          <label htmlFor={ids.review}>{t.worklist.reviewFilter}</label>
          <select
            id={ids.review}
            value={filters.review}
            onChange={(event) => filter({ review: event.target.value as InboxFilters['review'] })}
          >
            <option value="">{t.worklist.allReviews}</option>
            {REVIEW_STATES.map((state) => (
              <option key={state} value={state}>
                {t.reviewStates[state]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.supplier}>{t.worklist.supplier}</label>
          <input id={ids.supplier} type="search" value={supplier} onChange={(event) => setSupplier(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.from}>{t.worklist.from}</label>
          <input id={ids.from} type="date" value={filters.from} onChange={(event) => filter({ from: event.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>{t.worklist.to}</label>
          <input id={ids.to} type="date" value={filters.to} onChange={(event) => filter({ to: event.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={ids.status}>{t.inbox.filter}</label>
          <select id={ids.status} value={filters.status} onChange={(event) => filter({ status: event.target.value as Status | '' })}>
            <option value="">{t.inbox.all}</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {t.status[status]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.source}>{t.inbox.sourceFilter}</label>
          <select
            id={ids.source}
            value={filters.source}
            onChange={(event) => filter({ source: event.target.value as InboxFilters['source'] })}
          >
            <option value="">{t.inbox.allSources}</option>
            {INVOICE_SOURCE_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t.source[kind]}
              </option>
            ))}
          </select>
        </div>
        <div className="field grow">
          <label htmlFor={ids.search}>{t.inbox.search}</label>
          <input id={ids.search} type="search" value={query} onChange={(event) => setQuery(event.target.value)} />
        </div>
        <p className="live hint" aria-live="off">
          <span className={slow ? 'dot slow' : 'dot'} aria-hidden="true" /> {slow ? t.inbox.slow : t.inbox.live}
        </p>
      </div>

      {chosenRows.length > 0 ? (
        <fieldset className="selection">
          <legend>{t.worklist.selected(chosenRows.length)}</legend>
          <button type="button" className="button primary" onClick={() => void decide(chosenRows.filter(decidable), 'approve')}>
            {t.worklist.approve}
          </button>
          {rejecting ? (
            <form
              className="selection"
              onSubmit={(event) => {
                event.preventDefault();
                if (reason.trim() === '') return;
                setRejecting(false);
                void decide(chosenRows.filter(decidable), 'reject', reason.trim());
                setReason('');
              }}
            >
              <div className="field">
                <label htmlFor={reasonId}>{t.worklist.rejectReason}</label>
                <input id={reasonId} required maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} />
              </div>
              <button type="submit" className="button">
                {t.worklist.confirmReject}
              </button>
              <button type="button" className="button" onClick={() => setRejecting(false)}>
                {t.worklist.cancel}
              </button>
            </form>
          ) : (
            <button type="button" className="button" onClick={() => setRejecting(true)}>
              {t.worklist.reject}
            </button>
          )}
          <a className="button" href={exportPath([...selected])} download>
            {t.worklist.export}
          </a>
          <button type="button" className="button" onClick={() => void remove(chosenRows)}>
            {t.worklist.remove}
          </button>
        </fieldset>
      ) : null}

      <table className="invoices">
        <caption className="visually-hidden">{t.inbox.title}</caption>
        <thead>
          <tr>
            <th scope="col" className="col-select">
              <input
                type="checkbox"
                aria-label={t.worklist.selectAll}
                checked={rows.length > 0 && selected.size === rows.length}
                onChange={(event) => setSelected(event.target.checked ? new Set(rows.map((row) => row.invoiceId)) : new Set())}
              />
            </th>
            <th scope="col" className="col-file">
              {t.inbox.file}
            </th>
            <th scope="col" className="col-status">
              {t.inbox.statusColumn}
            </th>
            <th scope="col" className="col-type">
              {t.worklist.type}
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
            <th scope="col" className="col-checks">
              {t.worklist.checks}
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
          {rows.map((row, index) => (
            <InvoiceRow
              key={row.invoiceId}
              t={t}
              row={row}
              current={index === current}
              selected={selected.has(row.invoiceId)}
              reuploadOf={reuploads[row.invoiceId]}
              onSelect={() => toggle(row.invoiceId)}
              onRetry={() => void retry(row)}
            />
          ))}
        </tbody>
      </table>
      {loaded && rows.length === 0 && uploads.length === 0 ? <p className="empty">{filtered ? t.inbox.noMatch : t.inbox.empty}</p> : null}
      <p className="hint keys">{t.worklist.keyboard}</p>

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
      <td className="col-select" />
      <td className="col-file" data-label={t.inbox.file}>
        <span className="file-name">{upload.fileName}</span>
        <span className={upload.refusal ? 'reason full' : 'meta'}>{upload.refusal ?? '\u00a0'}</span>
      </td>
      <td className="col-status" data-label={t.inbox.statusColumn}>
        <StatusBadge t={t} status={upload.refusal ? 'refused' : 'sending'} />
      </td>
      <td className="col-type" />
      <td className="col-seller" />
      <td className="col-number" />
      <td className="col-date" />
      <td className="col-total" />
      <td className="col-checks" />
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

/** The DUPLICATE reason of a row, if it has one. */
const duplicateOf = (reasons: ReviewReason[]) =>
  reasons.find((reason): reason is Extract<ReviewReason, { code: 'DUPLICATE' }> => reason.code === 'DUPLICATE');

function InvoiceRow({
  t,
  row,
  current,
  selected,
  reuploadOf,
  onSelect,
  onRetry,
}: {
  t: Messages;
  row: InvoiceStatus;
  current: boolean;
  selected: boolean;
  reuploadOf: string | undefined;
  onSelect: () => void;
  onRetry: () => void;
}) {
  const { invoice } = row;
  const failed = row.status === 'failed';
  const read = row.status === 'completed';
  const duplicate = duplicateOf(row.review.reasons);
  const original = duplicate?.duplicateOf ?? reuploadOf;
  const match = duplicate?.match ?? 'file';
  return (
    <tr
      data-invoice={row.invoiceId}
      data-file={invoice.fileName}
      className={[current ? 'current' : '', selected ? 'selected' : ''].join(' ').trim() || undefined}
      aria-current={current ? 'true' : undefined}
    >
      <td className="col-select">
        <input type="checkbox" checked={selected} onChange={onSelect} aria-label={t.worklist.select(invoice.fileName)} />
      </td>
      <td className="col-file" data-label={t.inbox.file}>
        <a className="file-name" href={`/invoices/${row.invoiceId}`}>
          {invoice.fileName}
        </a>
        <span className="meta">
          <span className="source-tag" data-source={invoice.source.kind} title={invoice.source.details.folder}>
            {t.source[invoice.source.kind]}
          </span>
          {failed ? null : ` · ${formatSize(t, invoice.sizeBytes)}`}
        </span>
        {failed ? <span className="reason full">{reasonOf(t, row.errorCode, row.lastError)}</span> : null}
        {original ? (
          <span className="meta duplicate" data-duplicate-of={original}>
            {t.worklist.duplicate[match]} · <a href={`/invoices/${original}`}>{t.worklist.duplicateOf}</a>
          </span>
        ) : null}
      </td>
      <td className="col-status" data-label={t.inbox.statusColumn}>
        <ReviewBadge t={t} row={row} />
        <QueueNote t={t} row={row} />
      </td>
      <td className="col-type" data-label={t.worklist.type}>
        {read ? documentKindLabel(t, invoice.typeCode) : ''}
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
        {formatMoney(t, displayedAmount(invoice.totalWithVat, invoice.typeCode), invoice.currency)}
      </td>
      <td className="col-checks checks" data-label={t.worklist.checks}>
        {read ? (
          invoice.errors + invoice.warnings === 0 ? (
            <span className="meta">{t.worklist.noChecks}</span>
          ) : (
            <>
              {invoice.errors > 0 ? <span className="errors">{t.worklist.errors(invoice.errors)}</span> : null}
              {invoice.warnings > 0 ? <span className="warnings">{t.worklist.warnings(invoice.warnings)}</span> : null}
            </>
          )
        ) : null}
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
