import { InvalidInputError } from '../errors.ts';
import { traced } from '../tracing.ts';
import type { Db, QueryResult, Sql } from '../db/types.ts';
import { isUuid } from '../validators.ts';
import { PRIORITY_MAX, PRIORITY_MIN, QUEUE_DEFAULTS } from './defaults.ts';
import { type ClaimedJob, type Job, type JobRow, jobFromRow } from './job.ts';
import { CLAIM_ORDER, latestJob, leaseExpired } from './views.ts';

/** Workers LISTEN here; every statement that makes a job runnable now sends one notification. */
export const WAKE_UP_CHANNEL = 'facteur_jobs';

/**
 * Status pages LISTEN here: every statement that changes the status of invoice jobs sends one
 * notification whose payload lists their invoice ids (or `*` when too many for a payload).
 */
export const STATUS_CHANNEL = 'facteur_job_status';

/**
 * The notification a statement sends about the invoice jobs in `rows` (a CTE with invoice_id),
 * when the boolean parameter `flag` is true. A scalar subquery, so it runs once, and not at all
 * when the statement returns no row.
 */
function statusNotice(rows: string, flag: string): string {
  return `(SELECT pg_notify('${STATUS_CHANNEL}', CASE WHEN count(*) > 200 THEN '*' ELSE string_agg(invoice_id::text, ',') END)
             FROM ${rows} WHERE ${flag}::boolean AND invoice_id IS NOT NULL HAVING count(*) > 0) AS status_notified`;
}

export { PRIORITY_MAX, PRIORITY_MIN };

export interface NewJob {
  /** The handler's name. */
  task: string;
  /** The invoice the job is about: one live job per task and invoice. */
  invoiceId?: string | null;
  /**
   * Whose job it is, for fair claiming: the invoice's owner when there is an invoice (this is then
   * ignored), else this, else nobody's ('').
   */
  owner?: string;
  /** The task's arguments; anything JSON can hold. */
  payload?: unknown;
  /** Higher runs first among its owner's jobs, from -1000 to 1000. */
  priority?: number;
  maxAttempts?: number;
  /** Not before this many milliseconds from now (database clock). */
  delayMs?: number;
}

export interface EnqueuedJob extends Job {
  /** False when the task already had a live job for the invoice, which is returned instead. */
  created: boolean;
}

export interface Backoff {
  /** Delay before the second attempt; doubled for each later one. */
  baseMs: number;
  maxMs: number;
}

export interface QueueOptions {
  /** Tasks that have a handler somewhere; when given, enqueueing any other task is refused. */
  tasks?: readonly string[];
  maxAttempts?: number;
  backoff?: Backoff;
  /**
   * Send NOTIFYs when jobs become runnable (workers) and when invoice jobs change status (status
   * pages). Off in poll-only deployments: nobody listens, and each NOTIFY costs a lock at commit.
   */
  notify?: boolean;
}

export interface Outcome {
  id: string;
  lockToken: string;
  durationMs: number;
}

export interface Failure extends Outcome {
  error: string;
  errorCode: string;
  /** Fails at once, whatever attempts remain. */
  permanent: boolean;
}

export interface FailureResult {
  id: string;
  status: 'pending' | 'failed';
  runAt: Date;
}

export interface ReapResult {
  /** Back to pending, for another attempt. */
  retried: number;
  /** No attempt left: failed. */
  failed: number;
}

export interface QueueStats {
  pending: number;
  /** Pending jobs whose run_at is in the future (backoff, delayed). */
  scheduled: number;
  processing: number;
  completed: number;
  failed: number;
  /** Mean of completed_at - started_at over completed jobs, in ms; null when none. */
  averageDurationMs: number | null;
  /** Age of the oldest pending job, in ms; 0 when none. */
  oldestPendingMs: number;
  completedLastMinute: number;
  failedLastHour: number;
}

/** An enqueue this large changes the table's shape enough to refresh the planner's statistics. */
const BULK_ROWS = 1_000;
const TASK_NAME = /^[a-z][a-z0-9_.:-]{0,99}$/;
const OWNER_MAX_LENGTH = 200;

// Inserts the jobs; a task that already has a live job for the invoice keeps it (the partial unique
// index decides, so two racing enqueues cannot both insert), and the caller reads that job afterwards.
// A job about an invoice belongs to the invoice's owner (a lookup by primary key, beside the one the
// foreign key makes anyway).
// Only what the database chose comes back: the rest of a new row is what was sent, and reading
// whole rows back cost a quarter of a bulk enqueue. The notification is an InitPlan: sent once,
// and only if a row was inserted.
const ENQUEUE = `
  WITH inserted AS (
    INSERT INTO processing_queue (invoice_id, owner, task, payload, priority, max_attempts, run_at)
    SELECT invoice_id, coalesce((SELECT i.owner FROM invoices i WHERE i.id = j.invoice_id), j.owner),
           task, coalesce(payload, '{}'::jsonb), priority, max_attempts, now() + delay_ms * interval '1 millisecond'
      FROM jsonb_to_recordset($1::jsonb)
        AS j(invoice_id uuid, owner text, task text, payload jsonb, priority int, max_attempts int, delay_ms bigint)
    ON CONFLICT (task, invoice_id) WHERE status IN ('pending', 'processing') AND invoice_id IS NOT NULL DO NOTHING
    RETURNING id, owner, task, invoice_id, run_at, created_at
  )
  SELECT id, owner, task, invoice_id, run_at, created_at,
         (SELECT pg_notify('${WAKE_UP_CHANNEL}', '') WHERE $2::boolean) AS notified, ${statusNotice('inserted', '$2')}
    FROM inserted`;

// The newest job of each (task, invoice) pair given: an enqueue's answer for the pairs that had a
// live job. Reads only.
const NEWEST_JOBS = `
  SELECT l.* FROM unnest($1::text[], $2::uuid[]) AS k(task, invoice_id)
   CROSS JOIN LATERAL ${latestJob('k.invoice_id', 'k.task')} l`;

// Takes the next runnable jobs, fairly between owners: the owners with pending jobs, least recently
// served first, each giving its jobs in its own claim order (priority, then due time, then id) until
// the batch is full. One owner's backlog thus delays another owner's job by at most one claim per
// owner with work (a batch each), and one owner's priorities reorder only its own jobs.
//
// The owners come from the claim index by a loose index scan (one descent per owner with pending
// jobs, however many jobs each has), their turns from queue_owners. The nested loop follows the
// turns in order and stops as soon as the batch is full, so an owner's range is walked (and its rows
// locked) only when its turn comes; FOR UPDATE SKIP LOCKED lets concurrent workers take disjoint
// batches. The owners served are stamped, unless another claim is stamping them right now (SKIP
// LOCKED: that one's stamp will do, and claims never queue behind each other on an owner's row).
// The lease is a fresh token plus an expiry on the database clock. The jobs come back in the order
// they were taken, the order the worker starts them in.
const CLAIM = `
  WITH RECURSIVE owners AS (
    (SELECT owner FROM processing_queue WHERE status = 'pending' ORDER BY owner LIMIT 1)
    UNION ALL
    SELECT (SELECT p.owner FROM processing_queue p WHERE p.status = 'pending' AND p.owner > o.owner ORDER BY p.owner LIMIT 1)
      FROM owners o WHERE o.owner IS NOT NULL
  ), turns AS MATERIALIZED (
    SELECT o.owner, s.owner IS NOT NULL AS known
      FROM owners o LEFT JOIN queue_owners s ON s.owner = o.owner
     WHERE o.owner IS NOT NULL
     ORDER BY coalesce(s.last_claimed_at, '-infinity'), o.owner
  ), next AS (
    SELECT j.id, j.owner, t.known, row_number() OVER () AS place
      FROM turns t CROSS JOIN LATERAL (
        SELECT p.id, p.owner FROM processing_queue p
         WHERE p.owner = t.owner AND p.status = 'pending' AND p.run_at <= now() AND p.task = ANY($1::text[])
         ORDER BY ${CLAIM_ORDER}
         LIMIT $2
         FOR UPDATE SKIP LOCKED
      ) j
     LIMIT $2
  ), claimed AS (
    -- By primary key from an array: a join on the CTE lets the planner pick a hash join over a
    -- sequential scan of the whole table once it holds a few thousand rows.
    UPDATE processing_queue q
       SET status = 'processing', attempts = q.attempts + 1, lock_token = gen_random_uuid(),
           locked_by = $3, locked_until = now() + $4 * interval '1 millisecond',
           started_at = now(), updated_at = now()
     WHERE q.id = ANY (ARRAY(SELECT id FROM next))
    RETURNING q.*
  ), stamped AS (
    UPDATE queue_owners s SET last_claimed_at = now()
     WHERE s.owner IN (SELECT l.owner FROM queue_owners l WHERE l.owner IN (SELECT owner FROM next WHERE known) FOR UPDATE SKIP LOCKED)
  ), added AS (
    INSERT INTO queue_owners (owner, last_claimed_at) SELECT DISTINCT owner, now() FROM next WHERE NOT known
    ON CONFLICT (owner) DO NOTHING
  )
  SELECT claimed.*, ${statusNotice('claimed', '$5')} FROM claimed JOIN next USING (id) ORDER BY next.place`;

// Every transition below is guarded by status = 'processing' AND the caller's lock_token: a worker
// whose lease expired (and whose job another worker may now hold) changes nothing. Each locks only
// the rows it names, and records the attempt in the same statement: the completing attempt in the
// job's own row (its worker, start, end and duration stay there: the job_attempts view reads them),
// every other one in job_attempt_rows.

const COMPLETE = `
  WITH outcome AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS o(id uuid, lock_token uuid, duration_ms int)
  ), completed AS (
    UPDATE processing_queue q
       SET status = 'completed', completed_at = now(), updated_at = now(), duration_ms = o.duration_ms,
           lock_token = NULL, locked_until = NULL, last_error = NULL, error_code = NULL
      FROM outcome o
     WHERE q.id = o.id AND q.status = 'processing' AND q.lock_token = o.lock_token
    RETURNING q.id, q.invoice_id
  )
  SELECT id, ${statusNotice('completed', '$2')} FROM completed`;

// A failed attempt goes back to pending after an exponential backoff with ±25 % jitter (computed
// on the database clock), or to failed when it was the last attempt or the error is permanent.
const FAIL = `
  WITH outcome AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb)
      AS o(id uuid, lock_token uuid, duration_ms int, error text, error_code text, permanent boolean)
  ), failed AS (
    UPDATE processing_queue q
       SET status = CASE WHEN o.permanent OR q.attempts >= q.max_attempts THEN 'failed' ELSE 'pending' END,
           run_at = CASE WHEN o.permanent OR q.attempts >= q.max_attempts THEN q.run_at
                    ELSE now() + least($3::float8, $2::float8 * power(2, q.attempts - 1))
                               * (0.75 + random() * 0.5) * interval '1 millisecond' END,
           completed_at = CASE WHEN o.permanent OR q.attempts >= q.max_attempts THEN now() END,
           last_error = o.error, error_code = o.error_code,
           lock_token = NULL, locked_until = NULL, updated_at = now()
      FROM outcome o
     WHERE q.id = o.id AND q.status = 'processing' AND q.lock_token = o.lock_token
    RETURNING q.id, q.invoice_id, q.status, q.run_at, q.attempts, q.locked_by, q.started_at, o.duration_ms, o.error, o.error_code
  ), recorded AS (
    INSERT INTO job_attempt_rows (job_id, attempt, worker, started_at, outcome, error, error_code, duration_ms)
    SELECT id, attempts, locked_by, started_at, CASE status WHEN 'failed' THEN 'failed' ELSE 'retried' END,
           error, error_code, duration_ms
      FROM failed
  )
  SELECT id, status, run_at, ${statusNotice('failed', '$4')} FROM failed`;

// Hands unfinished jobs back (shutdown, end of a drain tick's budget). The interrupted attempt
// does not count against the job: it did not fail.
const RELEASE = `
  WITH outcome AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS o(id uuid, lock_token uuid, duration_ms int)
  ), released AS (
    UPDATE processing_queue q
       SET status = 'pending', attempts = q.attempts - 1, run_at = now(),
           lock_token = NULL, locked_until = NULL, updated_at = now()
      FROM outcome o
     WHERE q.id = o.id AND q.status = 'processing' AND q.lock_token = o.lock_token
    RETURNING q.id, q.invoice_id, q.attempts + 1 AS attempt, q.locked_by, q.started_at, o.duration_ms
  ), recorded AS (
    INSERT INTO job_attempt_rows (job_id, attempt, worker, started_at, outcome, duration_ms)
    SELECT id, attempt, locked_by, started_at, 'released', duration_ms FROM released
  )
  SELECT id, (SELECT pg_notify('${WAKE_UP_CHANNEL}', '') WHERE $2::boolean) AS notified, ${statusNotice('released', '$2')}
    FROM released`;

// Extends the leases of jobs still running. Rows that come back are still ours; the others were
// reaped or cancelled, and their handlers must stop.
const EXTEND_LEASES = `
  UPDATE processing_queue q
     SET locked_until = now() + $2 * interval '1 millisecond', updated_at = now()
    FROM jsonb_to_recordset($1::jsonb) AS o(id uuid, lock_token uuid)
   WHERE q.id = o.id AND q.status = 'processing' AND q.lock_token = o.lock_token
  RETURNING q.id`;

// Jobs whose worker died or stalled past its lease. SKIP LOCKED: every worker runs a reaper, and
// they split the expired rows instead of queueing behind each other. The attempt stays counted.
const REAP = `
  WITH expired AS (
    SELECT id FROM processing_queue
     WHERE ${leaseExpired('0')}
     ORDER BY locked_until
     LIMIT $1
     FOR UPDATE SKIP LOCKED
  ), reaped AS (
    UPDATE processing_queue q
       SET status = CASE WHEN q.attempts >= q.max_attempts THEN 'failed' ELSE 'pending' END,
           run_at = now(),
           completed_at = CASE WHEN q.attempts >= q.max_attempts THEN now() END,
           last_error = 'The worker ' || coalesce(q.locked_by, 'unknown') || ' stopped renewing its lease.',
           error_code = 'LEASE_EXPIRED',
           lock_token = NULL, locked_until = NULL, updated_at = now()
      FROM expired
     WHERE q.id = expired.id
    RETURNING q.id, q.invoice_id, q.status, q.attempts, q.locked_by, q.started_at, q.last_error
  ), recorded AS (
    INSERT INTO job_attempt_rows (job_id, attempt, worker, started_at, outcome, error, error_code)
    SELECT id, attempts, locked_by, started_at, 'reaped', last_error, 'LEASE_EXPIRED' FROM reaped
  )
  SELECT count(*) FILTER (WHERE status = 'pending')::int AS retried,
         count(*) FILTER (WHERE status = 'failed')::int AS failed,
         (SELECT pg_notify('${WAKE_UP_CHANNEL}', '') WHERE $2::boolean AND EXISTS (SELECT 1 FROM reaped WHERE status = 'pending')) AS notified,
         ${statusNotice('reaped', '$2')}
    FROM reaped`;

// Changes the priority of the pending job of a task for an invoice. Only a pending job: a processing
// one is already claimed (its priority no longer matters), a finished one is re-queued with its
// priority. The row lock this UPDATE takes is the one a claim would skip (FOR UPDATE SKIP LOCKED):
// a job claimed in between is re-read after the claim commits, no longer pending, and left alone.
const SET_PRIORITY = `
  WITH changed AS (
    UPDATE processing_queue
       SET priority = $3, updated_at = now()
     WHERE task = $1 AND invoice_id = $2 AND status = 'pending'
    RETURNING id, invoice_id
  )
  SELECT id, ${statusNotice('changed', '$4')} FROM changed`;

// Jobs whose lease expired a while ago: a count for monitoring, without locking them.
const COUNT_EXPIRED = `SELECT count(*)::int AS n FROM processing_queue WHERE ${leaseExpired('$1')}`;

// Stops a job that has not finished. A worker still running it finds its lease gone at its next
// heartbeat or completion, and changes nothing.
const CANCEL = `
  WITH cancelled AS (
    UPDATE processing_queue
       SET status = 'failed', error_code = 'CANCELLED', last_error = 'Cancelled.',
           completed_at = now(), lock_token = NULL, locked_until = NULL, updated_at = now()
     WHERE id = $1 AND status IN ('pending', 'processing')
    RETURNING *
  )
  SELECT cancelled.*, ${statusNotice('cancelled', '$2')} FROM cancelled`;

// Gives failed jobs a fresh set of attempts. Per task and invoice, only the newest failed job is
// revived, and none whose task has a live job for the invoice again (one live job per task and
// invoice).
const RETRY_FAILED = `
  WITH candidates AS (
    SELECT DISTINCT ON (task, coalesce(invoice_id, id)) id
      FROM processing_queue f
     WHERE f.status = 'failed'
       AND ($1::uuid IS NULL OR f.invoice_id = $1)
       AND NOT EXISTS (
         SELECT 1 FROM processing_queue l
          WHERE l.task = f.task AND l.invoice_id = f.invoice_id AND l.status IN ('pending', 'processing'))
     ORDER BY task, coalesce(invoice_id, id), created_at DESC
  ), revived AS (
    UPDATE processing_queue q
       SET status = 'pending', attempts = 0, run_at = now(), completed_at = NULL,
           last_error = NULL, error_code = NULL, updated_at = now()
      FROM candidates
     WHERE q.id = candidates.id AND q.status = 'failed'
    RETURNING q.*
  )
  SELECT revived.*, (SELECT pg_notify('${WAKE_UP_CHANNEL}', '') WHERE $2::boolean) AS notified, ${statusNotice('revived', '$2')}
    FROM revived`;

// Deletes finished jobs older than the retention, with their attempts, a bounded batch per
// statement so that no statement holds many row locks or runs long.
const PURGE = `
  WITH old AS (
    SELECT id FROM processing_queue
     WHERE status IN ('completed', 'failed') AND completed_at < now() - $1 * interval '1 millisecond'
     LIMIT $2
     FOR UPDATE SKIP LOCKED
  ), purged AS (
    DELETE FROM processing_queue q USING old WHERE q.id = old.id RETURNING q.id
  ), attempts AS (
    DELETE FROM job_attempt_rows a USING purged WHERE a.job_id = purged.id
  )
  SELECT count(*)::int AS purged FROM purged`;

// Attempts past the retention whose job is gone some other way (an invoice deleted by hand takes
// its jobs along, and job_attempts has no foreign key to follow them). Run once the old jobs are
// purged, so that the walk of job_attempts_finished_at meets few others.
const PURGE_ORPHANED_ATTEMPTS = `
  DELETE FROM job_attempt_rows a
   WHERE a.finished_at < now() - $1 * interval '1 millisecond'
     AND NOT EXISTS (SELECT 1 FROM processing_queue q WHERE q.id = a.job_id)`;

// Takes the turn to run a periodic task if its last run is older than the interval. The row lock
// serialises concurrent callers; the loser re-reads the moved timestamp and gets no row back.
const TAKE_TURN = `
  INSERT INTO queue_maintenance (task, last_run_at) VALUES ($1, now())
  ON CONFLICT (task) DO UPDATE SET last_run_at = now()
   WHERE queue_maintenance.last_run_at <= now() - $2 * interval '1 millisecond'
  RETURNING task`;

// One pass over the table for every figure of the dashboard and of the original monitoring queries;
// with an owner ($1), over that owner's jobs only (the owner each job carries since it was queued).
// Reads only; takes no lock.
const STATS = `
  SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
         count(*) FILTER (WHERE status = 'pending' AND run_at > now())::int AS scheduled,
         count(*) FILTER (WHERE status = 'processing')::int AS processing,
         count(*) FILTER (WHERE status = 'completed')::int AS completed,
         count(*) FILTER (WHERE status = 'failed')::int AS failed,
         (avg(extract(epoch FROM completed_at - started_at)) FILTER (WHERE status = 'completed') * 1000)::float8
           AS average_duration_ms,
         coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending')) * 1000, 0)::float8
           AS oldest_pending_ms,
         count(*) FILTER (WHERE status = 'completed' AND completed_at > now() - interval '1 minute')::int
           AS completed_last_minute,
         count(*) FILTER (WHERE status = 'failed' AND completed_at > now() - interval '1 hour')::int
           AS failed_last_hour
    FROM processing_queue
   WHERE $1::text IS NULL OR owner = $1`;

/**
 * Notifications sent after the enqueue has committed, in a statement of their own. A NOTIFY inside
 * a writing transaction takes a database-wide lock until that transaction's commit is flushed, so
 * concurrent enqueues would commit one fsync at a time (measured: 287 single enqueues/s with 16
 * in flight, 1,646 without). Alone, it writes no WAL and holds the lock for microseconds. At most
 * one is in flight per process: a burst of enqueues costs one or two notifications.
 */
class AfterCommitNotices {
  readonly #db: Db;
  #wake = false;
  readonly #invoices = new Set<string>();
  #sending = false;

  constructor(db: Db) {
    this.#db = db;
  }

  add(invoiceIds: readonly string[]): void {
    this.#wake = true;
    for (const id of invoiceIds) this.#invoices.add(id);
    this.#send();
  }

  #send(): void {
    if (this.#sending || !this.#wake) return;
    this.#sending = true;
    const invoices = this.#invoices.size > 200 ? '*' : [...this.#invoices].join(',');
    this.#wake = false;
    this.#invoices.clear();
    // A lost notification only delays a wake-up until the next poll: nothing to retry.
    void this.#db
      .query(`SELECT pg_notify('${WAKE_UP_CHANNEL}', ''), CASE WHEN $1 <> '' THEN pg_notify('${STATUS_CHANNEL}', $1) END`, [invoices])
      .catch(() => {})
      .finally(() => {
        this.#sending = false;
        this.#send();
      });
  }
}

/** A validated job as the enqueue statement reads it. */
interface JobInput {
  invoice_id: string | null;
  owner: string;
  task: string;
  payload: unknown;
  priority: number;
  max_attempts: number;
  delay_ms: number;
}

/** What the database chose for a new row. */
interface InsertedRow {
  id: string;
  owner: string;
  task: string;
  invoice_id: string | null;
  run_at: Date;
  created_at: Date;
}

/** A new job as the database holds it: what was sent, with the columns it defaulted. */
function newJob(input: JobInput, inserted: InsertedRow): EnqueuedJob {
  return {
    id: inserted.id,
    invoiceId: input.invoice_id,
    owner: inserted.owner,
    task: input.task,
    payload: input.payload ?? {},
    status: 'pending',
    priority: input.priority,
    attempts: 0,
    maxAttempts: input.max_attempts,
    runAt: inserted.run_at,
    lockedBy: null,
    lockToken: null,
    lockedUntil: null,
    lastError: null,
    errorCode: null,
    createdAt: inserted.created_at,
    startedAt: null,
    completedAt: null,
    updatedAt: inserted.created_at,
    created: true,
  };
}

function invalid(code: string, message: string): InvalidInputError {
  return new InvalidInputError(code, message);
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function checkedInvoiceId(value: unknown): string {
  if (typeof value !== 'string' || !isUuid(value)) {
    throw invalid('INVALID_INVOICE_ID', `The invoice id must be a UUID (got ${JSON.stringify(value)}).`);
  }
  return value;
}

function checkedPriority(value: unknown): number {
  if (!isInteger(value) || value < PRIORITY_MIN || value > PRIORITY_MAX) {
    throw invalid(
      'INVALID_PRIORITY',
      `The priority must be a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX} (got ${String(value)}).`,
    );
  }
  return value;
}

/**
 * The durable queue over processing_queue. Every method is one statement (or a short loop of
 * them); none holds a transaction open while a job runs.
 */
export class Queue {
  readonly db: Db;
  readonly #tasks: ReadonlySet<string> | null;
  readonly #maxAttempts: number;
  readonly #backoff: Backoff;
  readonly #notify: boolean;
  readonly #notices: AfterCommitNotices;
  #enqueuesInFlight = 0;
  #analyzedAt = 0;

  constructor(db: Db, options: QueueOptions = {}) {
    this.db = db;
    this.#tasks = options.tasks ? new Set(options.tasks) : null;
    this.#maxAttempts = options.maxAttempts ?? QUEUE_DEFAULTS.maxAttempts;
    this.#backoff = options.backoff ?? { baseMs: QUEUE_DEFAULTS.retryBaseMs, maxMs: QUEUE_DEFAULTS.retryMaxMs };
    this.#notify = options.notify ?? db.canListen;
    this.#notices = new AfterCommitNotices(db);
  }

  /**
   * Adds one job, or returns the live job of its task for its invoice. Pass `tx` to commit it with
   * your own writes.
   */
  async enqueue(job: NewJob, options: { tx?: Sql } = {}): Promise<EnqueuedJob> {
    const [enqueued] = await this.enqueueMany([job], options);
    return enqueued!;
  }

  /**
   * Adds many jobs in one statement. A task that already has a live job for the invoice gets it
   * back with `created: false`. Throws InvalidInputError, having changed nothing, if any job is
   * invalid.
   */
  enqueueMany(jobs: readonly NewJob[], options: { tx?: Sql } = {}): Promise<EnqueuedJob[]> {
    if (jobs.length === 0) return Promise.resolve([]);
    return traced('facteur.enqueue', { 'facteur.jobs': jobs.length }, () => this.#insert(jobs, options));
  }

  async #insert(jobs: readonly NewJob[], options: { tx?: Sql }): Promise<EnqueuedJob[]> {
    const rows = jobs.map((job) => this.#validate(job));
    const duplicates = new Set<string>();
    const seen = new Set<string>();
    for (const row of rows) {
      if (row.invoice_id === null) continue;
      const key = `${row.task} ${row.invoice_id}`;
      if (seen.has(key)) duplicates.add(key);
      seen.add(key);
    }
    if (duplicates.size > 0) {
      throw invalid('DUPLICATE_INVOICE', `The same task and invoice appear twice in one batch: ${[...duplicates].join(', ')}.`);
    }
    const sql = options.tx ?? this.db;
    // In the caller's transaction the notifications must wait for its commit: they go in the
    // statement. So they do for an enqueue with no other in flight here, which saves the idle
    // worker a round trip (benchmark pickup p50 1.38 -> 0.76 ms); alongside others they would
    // serialise their commits, and go after (AfterCommitNotices).
    const notifyInStatement = this.#notify && (options.tx !== undefined || this.#enqueuesInFlight === 0);
    this.#enqueuesInFlight += 1;
    let result: QueryResult<InsertedRow>;
    try {
      result = await sql.query<InsertedRow>(ENQUEUE, [JSON.stringify(rows), notifyInStatement]);
    } finally {
      this.#enqueuesInFlight -= 1;
    }
    // RETURNING gives the new rows in the order of the input, less the jobs whose task had a live
    // one for the invoice.
    let next = 0;
    const enqueued = rows.map((row): EnqueuedJob | undefined => {
      const inserted = result.rows[next];
      if (inserted === undefined || inserted.invoice_id !== row.invoice_id || inserted.task !== row.task) return undefined;
      next += 1;
      return newJob(row, inserted);
    });
    // The live jobs that were already there, or were committed by a concurrent enqueue: the newest
    // job of their task for their invoice is that one, even if it finished since the insert.
    const existing = rows.filter((row, i) => enqueued[i] === undefined);
    if (existing.length > 0) {
      const newest = await sql.query<JobRow>(NEWEST_JOBS, [existing.map((row) => row.task), existing.map((row) => row.invoice_id)]);
      const byKey = new Map(newest.rows.map((row) => [`${row.task} ${row.invoice_id}`, { ...jobFromRow(row), created: false }]));
      rows.forEach((row, i) => (enqueued[i] ??= byKey.get(`${row.task} ${row.invoice_id}`)));
    }
    if (rows.length >= BULK_ROWS && !options.tx) this.#refreshStatistics();
    if (this.#notify && !notifyInStatement && result.rows.length > 0) {
      this.#notices.add(result.rows.filter((row) => row.invoice_id !== null).map((row) => row.invoice_id!));
    }
    return enqueued.filter((job): job is EnqueuedJob => job !== undefined);
  }

  /**
   * A bulk enqueue into a table the planner has no statistics for (new, or changed shape since the
   * last autovacuum, which may be a minute away) makes the claim sort the whole backlog instead of
   * walking the claim index: 10,000 fresh jobs drained at 5,600–7,000 jobs/s against 8,400–8,600
   * after ANALYZE, here. So refresh them now, in the background, at most every 30 s per process.
   */
  #refreshStatistics(): void {
    if (Date.now() - this.#analyzedAt < 30_000) return;
    this.#analyzedAt = Date.now();
    this.db.query('ANALYZE processing_queue').catch(() => {
      // Statistics only steer plans; autovacuum refreshes them later anyway.
    });
  }

  #validate(job: NewJob): JobInput {
    const task = job.task;
    if (task === undefined) throw invalid('INVALID_TASK', 'Give the task that runs the job.');
    if (typeof task !== 'string' || !TASK_NAME.test(task)) {
      throw invalid('INVALID_TASK', `Task names are lower-case letters, digits and _ . : - (got ${JSON.stringify(task)}).`);
    }
    if (this.#tasks && !this.#tasks.has(task)) {
      throw invalid('UNKNOWN_TASK', `No worker handles the task "${task}". Known tasks: ${[...this.#tasks].join(', ')}.`);
    }
    const invoiceId = job.invoiceId == null ? null : checkedInvoiceId(job.invoiceId);
    const owner = job.owner ?? '';
    if (typeof owner !== 'string' || owner.length > OWNER_MAX_LENGTH) {
      throw invalid('INVALID_OWNER', `The owner must be a text of at most ${OWNER_MAX_LENGTH} characters (got ${JSON.stringify(owner)}).`);
    }
    const priority = checkedPriority(job.priority ?? QUEUE_DEFAULTS.priority);
    const maxAttempts = job.maxAttempts ?? this.#maxAttempts;
    if (!isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
      throw invalid('INVALID_MAX_ATTEMPTS', `maxAttempts must be a whole number from 1 to 100 (got ${String(maxAttempts)}).`);
    }
    const delayMs = job.delayMs ?? 0;
    if (!isInteger(delayMs) || delayMs < 0) {
      throw invalid('INVALID_DELAY', `delayMs must be a whole number of milliseconds, 0 or more (got ${String(delayMs)}).`);
    }
    let payload: unknown = null;
    if (job.payload !== undefined) {
      let text: string | undefined;
      try {
        text = JSON.stringify(job.payload);
      } catch (error) {
        throw invalid('PAYLOAD_NOT_JSON', `The payload cannot be stored as JSON: ${(error as Error).message}.`);
      }
      if (text === undefined) throw invalid('PAYLOAD_NOT_JSON', 'The payload cannot be stored as JSON.');
      payload = JSON.parse(text);
    }
    return { invoice_id: invoiceId, owner, task, payload, priority, max_attempts: maxAttempts, delay_ms: delayMs };
  }

  /** Takes up to `limit` runnable jobs of the given tasks and leases them to `workerId`. */
  async claim(options: { tasks: readonly string[]; limit: number; workerId: string; leaseMs: number }): Promise<ClaimedJob[]> {
    if (options.limit <= 0 || options.tasks.length === 0) return [];
    const result = await traced('facteur.claim', { 'facteur.limit': options.limit }, () =>
      this.db.query<JobRow>(CLAIM, [options.tasks, options.limit, options.workerId, options.leaseMs, this.#notify]),
    );
    return result.rows.map((row) => jobFromRow(row) as ClaimedJob);
  }

  /**
   * Marks jobs completed; returns the ids that were still this worker's. Pass `tx` to commit the
   * handlers' results together with the transition.
   */
  async complete(outcomes: readonly Outcome[], options: { tx?: Sql } = {}): Promise<Set<string>> {
    if (outcomes.length === 0) return new Set();
    const sql = options.tx ?? this.db;
    const result = await traced('facteur.complete', { 'facteur.jobs': outcomes.length }, () =>
      sql.query<{ id: string }>(COMPLETE, [toRecordset(outcomes), this.#notify]),
    );
    return new Set(result.rows.map((row) => row.id));
  }

  /** Records failed attempts: retried after a backoff, or failed for good. Lost leases are left out. */
  async fail(failures: readonly Failure[], options: { tx?: Sql } = {}): Promise<FailureResult[]> {
    if (failures.length === 0) return [];
    const result = await (options.tx ?? this.db).query<{ id: string; status: 'pending' | 'failed'; run_at: Date }>(FAIL, [
      JSON.stringify(
        failures.map((f) => ({
          id: f.id,
          lock_token: f.lockToken,
          duration_ms: Math.round(f.durationMs),
          error: f.error.slice(0, 4000),
          error_code: f.errorCode,
          permanent: f.permanent,
        })),
      ),
      this.#backoff.baseMs,
      this.#backoff.maxMs,
      this.#notify,
    ]);
    return result.rows.map((row) => ({ id: row.id, status: row.status, runAt: row.run_at }));
  }

  /** Returns unfinished jobs to the queue without counting the attempt. */
  async release(outcomes: readonly Outcome[]): Promise<Set<string>> {
    if (outcomes.length === 0) return new Set();
    const result = await this.db.query<{ id: string }>(RELEASE, [toRecordset(outcomes), this.#notify]);
    return new Set(result.rows.map((row) => row.id));
  }

  /** Extends the leases of running jobs; returns the ids still held. */
  async extendLeases(held: readonly { id: string; lockToken: string }[], leaseMs: number): Promise<Set<string>> {
    if (held.length === 0) return new Set();
    const recordset = JSON.stringify(held.map((job) => ({ id: job.id, lock_token: job.lockToken })));
    const result = await this.db.query<{ id: string }>(EXTEND_LEASES, [recordset, leaseMs]);
    return new Set(result.rows.map((row) => row.id));
  }

  /** Returns jobs with expired leases to pending (or failed, with no attempt left). */
  async reapExpired(limit = 1000): Promise<ReapResult> {
    const result = await this.db.query<{ retried: number; failed: number }>(REAP, [limit, this.#notify]);
    const row = result.rows[0];
    return { retried: row?.retried ?? 0, failed: row?.failed ?? 0 };
  }

  /**
   * Moves the pending job of `task` for the invoice to `priority`; false, changing nothing, when
   * that task has no pending job for the invoice.
   */
  async setPriority(job: { task: string; invoiceId: string; priority: number }): Promise<boolean> {
    const params = [job.task, checkedInvoiceId(job.invoiceId), checkedPriority(job.priority), this.#notify];
    const { rowCount } = await this.db.query(SET_PRIORITY, params);
    return rowCount > 0;
  }

  /** Jobs still processing although their lease expired more than `graceMs` ago: no worker reaps. */
  async countExpiredLeases(graceMs: number): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(COUNT_EXPIRED, [graceMs]);
    return rows[0]!.n;
  }

  async cancel(jobId: string): Promise<Job | null> {
    if (!isUuid(jobId)) throw invalid('INVALID_JOB_ID', `The job id must be a UUID (got ${JSON.stringify(jobId)}).`);
    const result = await this.db.query<JobRow>(CANCEL, [jobId, this.#notify]);
    return result.rows[0] ? jobFromRow(result.rows[0]) : null;
  }

  /** Revives failed jobs (of every task for one invoice, or all) with fresh attempts. */
  async retryFailed(options: { invoiceId?: string } = {}): Promise<Job[]> {
    const invoiceId = options.invoiceId === undefined ? null : checkedInvoiceId(options.invoiceId);
    const result = await this.db.query<JobRow>(RETRY_FAILED, [invoiceId, this.#notify]);
    return result.rows.map(jobFromRow);
  }

  /** Deletes completed and failed jobs that finished more than `olderThanMs` ago; returns how many. */
  async purge(olderThanMs: number, batchSize = 5_000): Promise<number> {
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0) {
      throw invalid('INVALID_RETENTION', 'The retention must be a duration of 0 or more.');
    }
    let total = 0;
    for (;;) {
      const { rows } = await this.db.query<{ purged: number }>(PURGE, [olderThanMs, batchSize]);
      const purged = rows[0]?.purged ?? 0;
      total += purged;
      if (purged < batchSize) break;
    }
    await this.db.query(PURGE_ORPHANED_ATTEMPTS, [olderThanMs]);
    return total;
  }

  /**
   * True for exactly one of the callers asking within `everyMs` of each other: the one that runs
   * the periodic task `task` (purge, reap) this time.
   */
  async takeTurn(task: string, everyMs: number): Promise<boolean> {
    const { rowCount } = await this.db.query(TAKE_TURN, [task, everyMs]);
    return rowCount > 0;
  }

  /**
   * The queue's counts: every job, or with `owner` only that owner's jobs (what an
   * organisation may see of a machine it shares).
   */
  async stats(options: { owner?: string } = {}): Promise<QueueStats> {
    const result = await this.db.query<Record<string, number | null>>(STATS, [options.owner ?? null]);
    const row = result.rows[0]!;
    return {
      pending: row.pending ?? 0,
      scheduled: row.scheduled ?? 0,
      processing: row.processing ?? 0,
      completed: row.completed ?? 0,
      failed: row.failed ?? 0,
      averageDurationMs: row.average_duration_ms ?? null,
      oldestPendingMs: row.oldest_pending_ms ?? 0,
      completedLastMinute: row.completed_last_minute ?? 0,
      failedLastHour: row.failed_last_hour ?? 0,
    };
  }

  async getJob(jobId: string): Promise<Job | null> {
    if (!isUuid(jobId)) return null;
    const result = await this.db.query<JobRow>('SELECT * FROM processing_queue WHERE id = $1', [jobId]);
    return result.rows[0] ? jobFromRow(result.rows[0]) : null;
  }
}

function toRecordset(outcomes: readonly Outcome[]): string {
  return JSON.stringify(outcomes.map((o) => ({ id: o.id, lock_token: o.lockToken, duration_ms: Math.round(o.durationMs) })));
}
