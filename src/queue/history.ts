import type { Sql } from '../db/types.ts';

// Pure reads of processing_queue and job_attempts for the queue dashboard: what happened over a
// recent window (throughput, failures, processing times) and which workers were seen; and for the
// review screen, an invoice's attempts. Nothing here locks or writes. job_attempts is a view: the
// attempts that completed their job are read from the job's row, the others from job_attempt_rows;
// the windows are range scans of job_attempt_rows_finished_at and processing_queue_finished_at.

export type HistoryRange = 'hour' | 'day';

/** A window, cut into buckets of equal length: 60 of one minute, or 48 of half an hour. */
const RANGES: Record<HistoryRange, { bucketSeconds: number; buckets: number }> = {
  hour: { bucketSeconds: 60, buckets: 60 },
  day: { bucketSeconds: 1_800, buckets: 48 },
};

export interface HistoryBucket {
  /** Start of the bucket, ISO 8601. */
  at: string;
  completed: number;
  /** Attempts that did not complete: failed for good, retried later, or reaped after a lost lease. */
  failed: number;
}

export interface WorkerSeen {
  worker: string;
  lastSeenAt: string;
  /** Jobs it holds now. */
  running: number;
  /** Attempts it completed within the window of `workersSeen`. */
  completed: number;
}

export interface QueueHistory {
  range: HistoryRange;
  bucketSeconds: number;
  buckets: HistoryBucket[];
  /** Over the completed attempts of the window; null when there were none. */
  medianMs: number | null;
  p95Ms: number | null;
  /** The machine's workers; empty when the history is one owner's (worker ids are the machine's). */
  workers: WorkerSeen[];
}

// With an owner, an attempt counts only when its job is the owner's (the owner a job carries): what
// an organisation sees of a machine it shares. $3 (SERIES) and $2 (DURATIONS) are that owner, or null
// for every attempt.
const OWNED_ATTEMPT = (owner: string) =>
  `(${owner}::text IS NULL OR a.job_id IN (SELECT q.id FROM processing_queue q WHERE q.owner = ${owner}))`;

// Attempts finished within the window, counted per bucket (bucket numbers are epoch seconds
// divided by the bucket length, so the buckets line up from one call to the next), with the
// bucket of the database's now() to anchor the window.
const SERIES = `
  SELECT floor(extract(epoch FROM a.finished_at) / $1)::bigint AS bucket,
         count(*) FILTER (WHERE a.outcome = 'completed')::int AS completed,
         count(*) FILTER (WHERE a.outcome IN ('failed', 'retried', 'reaped'))::int AS failed
    FROM job_attempts a
   WHERE a.finished_at > now() - ($1 * $2) * interval '1 second' AND ${OWNED_ATTEMPT('$3')}
   GROUP BY 1`;

const NOW_BUCKET = `SELECT floor(extract(epoch FROM now()) / $1)::bigint AS bucket`;

// Processing time of the attempts that completed within the window.
const DURATIONS = `
  SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)::float8 AS median_ms,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms)::float8 AS p95_ms
    FROM job_attempts a
   WHERE a.outcome = 'completed' AND a.duration_ms IS NOT NULL AND a.finished_at > now() - $1 * interval '1 second'
     AND ${OWNED_ATTEMPT('$2')}`;

// Workers seen recently: those that finished an attempt within $1 seconds, and those holding a
// job now (the lease's locked_by), whatever their last attempt.
const WORKERS = `
  SELECT w.worker, max(w.at) AS last_seen_at,
         count(*) FILTER (WHERE w.kind = 'running')::int AS running,
         count(*) FILTER (WHERE w.kind = 'completed')::int AS completed
    FROM (
      SELECT worker, finished_at AS at, CASE WHEN outcome = 'completed' THEN 'completed' ELSE 'other' END AS kind
        FROM job_attempts WHERE worker IS NOT NULL AND finished_at > now() - $1 * interval '1 second'
      UNION ALL
      SELECT locked_by, now(), 'running' FROM processing_queue WHERE status = 'processing' AND locked_by IS NOT NULL
    ) w
   GROUP BY w.worker
   ORDER BY max(w.at) DESC, w.worker
   LIMIT 50`;

/** How long a worker stays on the dashboard after its last attempt. */
export const WORKER_SEEN_SECONDS = 15 * 60;

/** The machine's history, or with `owner` only the attempts of that owner's jobs, and no workers. */
export async function queueHistory(sql: Sql, range: HistoryRange, options: { owner?: string } = {}): Promise<QueueHistory> {
  const { bucketSeconds, buckets } = RANGES[range];
  const owner = options.owner ?? null;
  const [series, now, durations, workers] = await Promise.all([
    sql.query<{ bucket: string | number; completed: number; failed: number }>(SERIES, [bucketSeconds, buckets, owner]),
    sql.query<{ bucket: string | number }>(NOW_BUCKET, [bucketSeconds]),
    sql.query<{ median_ms: number | null; p95_ms: number | null }>(DURATIONS, [bucketSeconds * buckets, owner]),
    owner === null
      ? sql.query<{ worker: string; last_seen_at: Date; running: number; completed: number }>(WORKERS, [WORKER_SEEN_SECONDS])
      : { rows: [] },
  ]);
  const counts = new Map(series.rows.map((row) => [Number(row.bucket), row]));
  const last = Number(now.rows[0]!.bucket);
  return {
    range,
    bucketSeconds,
    buckets: Array.from({ length: buckets }, (_, i) => {
      const bucket = last - buckets + 1 + i;
      const row = counts.get(bucket);
      return { at: new Date(bucket * bucketSeconds * 1000).toISOString(), completed: row?.completed ?? 0, failed: row?.failed ?? 0 };
    }),
    medianMs: durations.rows[0]?.median_ms ?? null,
    p95Ms: durations.rows[0]?.p95_ms ?? null,
    workers: workers.rows.map((row) => ({
      worker: row.worker,
      lastSeenAt: row.last_seen_at.toISOString(),
      running: row.running,
      completed: row.completed,
    })),
  };
}

export interface AttemptView {
  attempt: number;
  worker: string | null;
  startedAt: string | null;
  finishedAt: string;
  outcome: string;
  error: string | null;
  errorCode: string | null;
  durationMs: number | null;
}

// Every attempt of every job of an invoice, oldest first: through processing_queue_invoice, then
// job_attempt_rows_job for each job (the completing attempt is the job's row itself).
const INVOICE_ATTEMPTS = `
  SELECT a.attempt, a.worker, a.started_at, a.finished_at, a.outcome, a.error, a.error_code, a.duration_ms
    FROM job_attempts a JOIN processing_queue q ON q.id = a.job_id
   WHERE q.invoice_id = $1 ORDER BY a.finished_at, a.id`;

export async function invoiceAttempts(sql: Sql, invoiceId: string): Promise<AttemptView[]> {
  const { rows } = await sql.query<{
    attempt: number;
    worker: string | null;
    started_at: Date | null;
    finished_at: Date;
    outcome: string;
    error: string | null;
    error_code: string | null;
    duration_ms: number | null;
  }>(INVOICE_ATTEMPTS, [invoiceId]);
  return rows.map((row) => ({
    attempt: row.attempt,
    worker: row.worker,
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at.toISOString(),
    outcome: row.outcome,
    error: row.error,
    errorCode: row.error_code,
    durationMs: row.duration_ms,
  }));
}

export function isHistoryRange(value: string): value is HistoryRange {
  return value === 'hour' || value === 'day';
}
