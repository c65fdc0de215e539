'use client';

import { useCallback, useEffect, useId, useState } from 'react';
import type { InvoicePage, InvoiceStatus } from '../../src/invoices/views.ts';
import type { HistoryRange, QueueHistory } from '../../src/queue/history.ts';
import type { QueueStats } from '../../src/queue/index.ts';
import { formatDuration, formatDateTime, messages, reasonOf, type Locale, type Messages, type Status } from '../i18n.ts';
import { BucketChart } from './chart.tsx';

const REFRESH_MS = 5_000;
const STATUSES: Status[] = ['pending', 'processing', 'completed', 'failed'];

/** What the caller may see: the machine's figures (admin), or its own organisation's (member). */
type Scope = 'machine' | 'owner';

interface Snapshot {
  stats: QueueStats & { scope: Scope };
  history: QueueHistory;
  failed: InvoiceStatus[];
}

export function QueueDashboard({ locale }: { locale: Locale }) {
  const t = messages(locale);
  const [range, setRange] = useState<HistoryRange>('hour');
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null);
  const [notice, setNotice] = useState('');
  const rangeId = useId();

  const load = useCallback(async () => {
    try {
      const [stats, history, failed] = await Promise.all([
        fetch('/api/queue/stats', { cache: 'no-store' }).then((r) => r.json() as Promise<Snapshot['stats']>),
        fetch(`/api/queue/dashboard?range=${range}`, { cache: 'no-store' }).then((r) => r.json() as Promise<QueueHistory>),
        fetch('/api/invoices?status=failed&limit=20', { cache: 'no-store' }).then((r) => r.json() as Promise<InvoicePage>),
      ]);
      setSnapshot({ stats, history, failed: failed.invoices });
    } catch {
      setNotice(t.reasons.network!);
    }
  }, [range, t]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const retry = async (path: string) => {
    const response = await fetch(path, { method: 'POST' });
    if (path.endsWith('retry-failed') && response.ok) setNotice(t.queue.retried(((await response.json()) as { retried: number }).retried));
    await load();
  };

  return (
    <section aria-labelledby="queue-title">
      <div className="section-head">
        <h1 id="queue-title">{t.queue.title}</h1>
        <div className="field range">
          <label htmlFor={rangeId}>{t.queue.range}</label>
          <select id={rangeId} value={range} onChange={(event) => setRange(event.target.value as HistoryRange)}>
            <option value="hour">{t.queue.hour}</option>
            <option value="day">{t.queue.day}</option>
          </select>
        </div>
      </div>
      {snapshot ? (
        <p className="hint scope" data-scope={snapshot.stats.scope}>
          {t.queue.scope[snapshot.stats.scope]}
        </p>
      ) : null}
      {snapshot ? <Counts t={t} snapshot={snapshot} /> : null}
      {snapshot ? (
        <div className="charts">
          <BucketChart
            t={t}
            title={t.queue.throughput}
            per={range === 'hour' ? t.queue.perMinute : t.queue.perHalfHour}
            buckets={snapshot.history.buckets}
            field="completed"
            color="#2f855a"
          />
          <BucketChart
            t={t}
            title={t.queue.failures}
            per={range === 'hour' ? t.queue.perMinute : t.queue.perHalfHour}
            buckets={snapshot.history.buckets}
            field="failed"
            color="#c53030"
          />
        </div>
      ) : null}
      <p role="status" className="notice">
        {notice}
      </p>
      {snapshot ? (
        <div className="dashboard-grid">
          <FailedInvoices
            t={t}
            failed={snapshot.failed}
            onRetry={(id) => void retry(`/api/invoices/${id}/retry`)}
            onRetryAll={() => void retry('/api/queue/retry-failed')}
          />
          {snapshot.stats.scope === 'machine' ? <WorkersSeen t={t} history={snapshot.history} /> : null}
        </div>
      ) : null}
    </section>
  );
}

function Counts({ t, snapshot }: { t: Messages; snapshot: Snapshot }) {
  const { stats, history } = snapshot;
  const number = new Intl.NumberFormat(t.tag);
  return (
    <>
      <h2 className="visually-hidden">{t.queue.counts}</h2>
      <ul className="cards" aria-label={t.queue.counts}>
        {STATUSES.map((status) => (
          <li key={status} className="card" data-status={status}>
            <span className="count">{number.format(stats[status])}</span>
            <span className="label">
              <span className={`dot dot-${status}`} aria-hidden="true" /> {t.queue.countLabels[status]}
            </span>
            {status === 'pending' && stats.scheduled > 0 ? <span className="label"> {t.queue.scheduled(stats.scheduled)}</span> : null}
          </li>
        ))}
      </ul>
      <ul className="cards metrics">
        <Metric label={t.queue.median} value={formatDuration(t, history.medianMs)} name="median" />
        <Metric label={t.queue.p95} value={formatDuration(t, history.p95Ms)} name="p95" />
        <Metric
          label={t.queue.oldest}
          value={stats.oldestPendingMs > 0 ? formatDuration(t, stats.oldestPendingMs) : t.queue.none}
          name="oldest"
        />
        <Metric label={t.queue.lastMinute} value={number.format(stats.completedLastMinute)} name="last-minute" />
      </ul>
    </>
  );
}

function Metric({ label, value, name }: { label: string; value: string; name: string }) {
  return (
    <li className="card" data-metric={name}>
      <span className="count">{value}</span>
      <span className="label">{label}</span>
    </li>
  );
}

function FailedInvoices({
  t,
  failed,
  onRetry,
  onRetryAll,
}: {
  t: Messages;
  failed: InvoiceStatus[];
  onRetry: (id: string) => void;
  onRetryAll: () => void;
}) {
  return (
    <section className="panel" aria-labelledby="failed-title">
      <div className="section-head">
        <h2 id="failed-title">{t.queue.failedList}</h2>
        <button type="button" className="button" disabled={failed.length === 0} onClick={onRetryAll}>
          {t.queue.retryAll}
        </button>
      </div>
      {failed.length === 0 ? (
        <p className="hint">{t.queue.noFailed}</p>
      ) : (
        <ul className="failed-list">
          {failed.map((row) => (
            <li key={row.invoiceId} data-invoice={row.invoiceId}>
              <div>
                <a href={`/invoices/${row.invoiceId}`} className="file-name">
                  {row.invoice.fileName}
                </a>
                <span className="meta reason">{reasonOf(t, row.errorCode, row.lastError)}</span>
                <span className="meta">{formatDateTime(t, row.completedAt)}</span>
              </div>
              <button
                type="button"
                className="button small"
                onClick={() => onRetry(row.invoiceId)}
                aria-label={t.inbox.retryLabel(row.invoice.fileName)}
              >
                {t.inbox.retry}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function WorkersSeen({ t, history }: { t: Messages; history: QueueHistory }) {
  return (
    <section className="panel" aria-labelledby="workers-title">
      <h2 id="workers-title">{t.queue.workers}</h2>
      {history.workers.length === 0 ? (
        <p className="hint">{t.queue.noWorkers}</p>
      ) : (
        <div className="table-scroll">
          <table className="workers">
            <thead>
              <tr>
                <th scope="col">{t.queue.worker}</th>
                <th scope="col">{t.queue.lastSeen}</th>
                <th scope="col" className="amount">
                  {t.queue.running}
                </th>
                <th scope="col" className="amount">
                  {t.queue.completed}
                </th>
              </tr>
            </thead>
            <tbody>
              {history.workers.map((worker) => (
                <tr key={worker.worker}>
                  <td className="worker-name">{worker.worker}</td>
                  <td>{formatDateTime(t, worker.lastSeenAt)}</td>
                  <td className="amount">{worker.running}</td>
                  <td className="amount">{worker.completed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
