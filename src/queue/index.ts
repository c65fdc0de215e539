/** The durable queue: its public surface. It knows nothing about invoices. */
export {
  Queue,
  PRIORITY_MIN,
  PRIORITY_MAX,
  STATUS_CHANNEL,
  WAKE_UP_CHANNEL,
  type Backoff,
  type EnqueuedJob,
  type Failure,
  type FailureResult,
  type NewJob,
  type Outcome,
  type QueueOptions,
  type QueueStats,
  type ReapResult,
} from './queue.ts';
export { QUEUE_DEFAULTS } from './defaults.ts';
export { QUEUE_TABLES } from './views.ts';
export {
  Worker,
  type DrainReport,
  type TaskContext,
  type TaskHandler,
  type TaskHandlers,
  type TaskResult,
  type WorkerObserver,
  type WorkerOptions,
} from './worker.ts';
export { JobTimeoutError, LeaseLostError, PermanentJobError, WorkerStoppingError } from './errors.ts';
export type { ClaimedJob, Job, JobStatus } from './job.ts';
