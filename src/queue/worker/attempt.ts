import type { Logger } from 'pino';
import { isConnectionError } from '../../db/errors.ts';
import type { Db } from '../../db/types.ts';
import { traced } from '../../tracing.ts';
import { JobTimeoutError, LeaseLostError, WorkerStoppingError } from '../errors.ts';
import type { ClaimedJob } from '../job.ts';
import type { TaskHandler } from '../worker.ts';
import type { Decision, RunningJob } from './slots.ts';

/** How an attempt ended: an outcome to write, or nothing because its lease went to another worker. */
export type AttemptEnd = Decision | { kind: 'lost' };

/**
 * Starts one attempt of a job and tells `ended` how it ended. The handler gets an AbortSignal that
 * fires at `timeoutMs`, or when the worker aborts the running slot (lease lost, stop, end of a
 * drain budget); if the handler ignores it, the attempt ends anyway when it fires.
 */
export function startAttempt(
  job: ClaimedJob,
  handler: TaskHandler,
  context: { db: Db; logger: Logger; timeoutMs: number },
  ended: (running: RunningJob, end: AttemptEnd) => void,
): RunningJob {
  const controller = new AbortController();
  // In a drain tick the budget's own abort comes first for what is left, as a release rather than a failure.
  const timer = setTimeout(() => controller.abort(new JobTimeoutError(context.timeoutMs)), context.timeoutMs);
  const running: RunningJob = { job, controller, startedAt: performance.now(), timer };
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  const attributes = {
    'facteur.job_id': job.id,
    'facteur.task': job.task,
    'facteur.attempt': job.attempts,
    ...(job.invoiceId ? { 'facteur.invoice_id': job.invoiceId } : {}),
  };
  const work = traced('facteur.job', attributes, () =>
    handler(job.payload, { job, signal: controller.signal, db: context.db, logger: context.logger }),
  );
  void Promise.race([work, aborted]).then(
    (result) => ended(running, { kind: 'completed', commit: result ? result.commit.bind(result) : undefined }),
    (error: unknown) => {
      if (error instanceof LeaseLostError) return ended(running, { kind: 'lost' });
      // The database going away is not the job's fault: hand it back without charging an attempt.
      if (error instanceof WorkerStoppingError || isConnectionError(error)) return ended(running, { kind: 'released' });
      ended(running, { kind: 'failed', error });
    },
  );
  return running;
}
