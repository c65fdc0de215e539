import { FacteurError } from '../errors.ts';

/**
 * Thrown by a task handler when trying again cannot help (a corrupt file, an unsupported format):
 * the job fails at once instead of using up its attempts. Any error with `permanent: true` counts.
 */
export class PermanentJobError extends FacteurError {
  readonly permanent = true;
}

/** The job ran past its timeout; its AbortSignal fired with this reason. */
export class JobTimeoutError extends FacteurError {
  constructor(timeoutMs: number) {
    super('JOB_TIMEOUT', `The job did not finish within ${timeoutMs} ms.`);
  }
}

/** The worker lost the job's lease (expired and reaped, or cancelled): its work no longer counts. */
export class LeaseLostError extends FacteurError {
  constructor() {
    super('LEASE_LOST', 'The worker no longer holds this job: its lease expired or the job was cancelled.');
  }
}

/** The worker is stopping (or a drain tick's budget ran out) before the job finished. */
export class WorkerStoppingError extends FacteurError {
  constructor() {
    super('WORKER_STOPPING', 'The worker stopped before the job finished; the job goes back to the queue.');
  }
}

export function isPermanent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}

export function errorCodeOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : 'HANDLER_ERROR';
}
