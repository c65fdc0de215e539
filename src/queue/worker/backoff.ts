import type { Logger } from 'pino';

/** The longest wait between two tries while the database is unreachable. */
export const MAX_BACKOFF_MS = 5_000;

/**
 * After a database error the worker waits (100 ms doubling to 5 s) and tries again: it never
 * exits over an outage. While it waits, no claim starts.
 */
export class Backoff {
  readonly #logger: Logger;
  /** What to do when the wait is over. */
  readonly #retry: () => void;
  #failures = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(logger: Logger, retry: () => void) {
    this.#logger = logger;
    this.#retry = retry;
  }

  /** Errors in a row; 0 once a statement went through. */
  get failures(): number {
    return this.#failures;
  }

  /** Waiting before the next try. */
  get waiting(): boolean {
    return this.#timer !== null;
  }

  failed(error: unknown, doing: string): void {
    this.#failures += 1;
    const delay = Math.min(100 * 2 ** (this.#failures - 1), MAX_BACKOFF_MS);
    this.#logger.warn({ err: error, retryInMs: delay }, `database error while trying to ${doing}`);
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#retry();
    }, delay);
  }

  succeeded(): void {
    if (this.#failures > 0) this.#logger.info('database reachable again');
    this.#failures = 0;
  }

  /** Stops waiting; the failures counted so far still count. */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** A fresh drain tick: earlier failures do not end it. */
  forget(): void {
    this.#failures = 0;
  }
}
