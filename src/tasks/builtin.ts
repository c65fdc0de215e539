import { PermanentJobError } from '../queue/errors.ts';
import type { TaskHandlers } from '../queue/worker.ts';

/** Does nothing: measures the queue itself. */
async function noop(): Promise<void> {}

/** Waits `payload.ms` milliseconds, or until the job is aborted: a stand-in for slow work. */
async function sleep(payload: unknown, { signal }: { signal: AbortSignal }): Promise<void> {
  const ms = (payload as { ms?: unknown } | null)?.ms;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw new PermanentJobError('INVALID_PAYLOAD', 'The sleep task needs a payload {"ms": <milliseconds>}.');
  }
  signal.throwIfAborted();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Tasks for tests and benchmarks, registered by every worker. */
export const builtinTasks: TaskHandlers = { noop, sleep };
