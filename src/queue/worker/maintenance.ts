import type { Logger } from 'pino';
import type { Queue } from '../queue.ts';

export interface MaintenanceOptions {
  queue: Queue;
  logger: Logger;
  reapIntervalMs: number;
  /** Finished jobs older than this are purged; null keeps them forever. */
  retentionMs: number | null;
  purgeIntervalMs: number;
  /** Told how many jobs each reap handed back or failed, when there were any. */
  reaped(count: number): void;
}

/**
 * The queue's upkeep that any worker may do: reaping expired leases and purging finished jobs
 * past the retention. On each interval one worker of all those running takes the turn.
 */
export class Maintenance {
  readonly #options: MaintenanceOptions;

  constructor(options: MaintenanceOptions) {
    this.#options = options;
  }

  /** Sets the recurring turns going on the running worker's timers. */
  schedule(every: (ms: number, fn: () => void) => void): void {
    const { reapIntervalMs, retentionMs, purgeIntervalMs } = this.#options;
    every(reapIntervalMs, () => void this.#turn('reap', reapIntervalMs, () => this.reap()));
    if (retentionMs !== null) every(purgeIntervalMs, () => void this.#turn('purge', purgeIntervalMs, () => this.#purge(retentionMs)));
  }

  /** Reaps expired leases now, turn or not (a worker starting, a drain tick). Never throws. */
  async reap(): Promise<void> {
    try {
      const { retried, failed } = await this.#options.queue.reapExpired();
      if (retried + failed === 0) return;
      this.#options.reaped(retried + failed);
      this.#options.logger.warn({ retried, failed }, 'reaped jobs whose lease expired');
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'could not reap expired leases');
    }
  }

  /** Runs a periodic task if this worker wins the turn; the others skip it this time. */
  async #turn(task: string, everyMs: number, work: () => Promise<void>): Promise<void> {
    try {
      // A little less than the interval, so that timer drift never makes every worker lose the turn.
      if (await this.#options.queue.takeTurn(task, everyMs * 0.9)) await work();
    } catch (error) {
      this.#options.logger.warn({ err: error, task }, 'periodic maintenance failed');
    }
  }

  async #purge(retentionMs: number): Promise<void> {
    const deleted = await this.#options.queue.purge(retentionMs);
    if (deleted > 0) this.#options.logger.info({ deleted, retentionMs }, 'purged finished jobs');
  }
}
