/**
 * The queue's defaults, in one place: the configuration (FACTEUR_*), the Queue and Worker
 * constructors read them here, and a test holds the SQL column defaults of the jobs table equal to
 * them (a row inserted by hand gets what `enqueue` would have given it).
 */
export const QUEUE_DEFAULTS = {
  /** A new job's priority; higher runs first. */
  priority: 0,
  /** Attempts before a job fails for good. */
  maxAttempts: 3,
  /** Backoff before the second attempt, doubled for each later one up to `retryMaxMs`. */
  retryBaseMs: 5_000,
  retryMaxMs: 10 * 60_000,
  /** Jobs a worker runs at the same time. */
  concurrency: 4,
  /** Jobs a worker claims ahead of free slots. */
  prefetch: 0,
  /** A job's AbortSignal fires after this long. */
  jobTimeoutMs: 5 * 60_000,
  /** How long a claim holds without renewal. */
  leaseMs: 30_000,
  /** How often an idle worker looks for jobs when no notification woke it. */
  pollMs: 1_000,
  /** How often one of the workers purges finished jobs past the retention. */
  purgeIntervalMs: 3_600_000,
  /** How long running jobs may finish after a stop. */
  graceMs: 30_000,
} as const;

/** The range of a job's priority: a whole number, higher runs first. */
export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;
