export type JobStatus = 'pending' | 'processing' | 'completed' | 'failed';

/** A row of processing_queue. */
export interface Job {
  id: string;
  invoiceId: string | null;
  /** Whose job it is: the invoice's owner, or the one given at enqueue; '' for nobody's. */
  owner: string;
  task: string;
  payload: unknown;
  status: JobStatus;
  priority: number;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lockedBy: string | null;
  lockToken: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  errorCode: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  updatedAt: Date;
}

/** A job this worker claimed: it holds the lease until it completes, fails or releases it. */
export interface ClaimedJob extends Job {
  status: 'processing';
  lockToken: string;
  lockedUntil: Date;
}

export interface JobRow {
  id: string;
  invoice_id: string | null;
  owner: string;
  task: string;
  payload: unknown;
  status: JobStatus;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  locked_by: string | null;
  lock_token: string | null;
  locked_until: Date | null;
  last_error: string | null;
  error_code: string | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  updated_at: Date;
}

export function jobFromRow(row: JobRow): Job {
  return {
    id: row.id,
    invoiceId: row.invoice_id,
    owner: row.owner,
    task: row.task,
    payload: row.payload,
    status: row.status,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    lockedBy: row.locked_by,
    lockToken: row.lock_token,
    lockedUntil: row.locked_until,
    lastError: row.last_error,
    errorCode: row.error_code,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    updatedAt: row.updated_at,
  };
}
