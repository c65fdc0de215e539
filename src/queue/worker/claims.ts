import { CoalescedRun } from './coalesced.ts';
import type { ClaimedJob } from '../job.ts';
import type { Queue } from '../queue.ts';
import type { Backoff } from './backoff.ts';

export interface ClaimLoopOptions {
  queue: Queue;
  tasks: string[];
  workerId: string;
  leaseMs: number;
  backoff: Backoff;
  /** How many jobs to claim now; 0 when the worker's state or its free slots say none. */
  wanted(): number;
  /** Jobs just claimed, leased to this worker: to start, or to hand back if it stopped meanwhile. */
  claimed(jobs: ClaimedJob[]): void;
  /** After each run of the loop (the worker may have become idle). */
  afterEach(): void;
}

/**
 * Claims in batches sized to what the worker wants, one statement for everything asked in an
 * event-loop turn, until a claim comes back short: the queue then looks empty, and only a forced
 * wake-up (a NOTIFY, the poll, a retry coming due) claims again.
 */
export class ClaimLoop {
  readonly #options: ClaimLoopOptions;
  readonly #run: CoalescedRun;
  /** Woken since the last claim began: something may have been enqueued, even if the queue looked empty. */
  #woken = false;
  #looksEmpty = false;
  /** Fires when the earliest retry this worker scheduled is due, rather than at the next poll. */
  #retryDue: { at: number; timer: NodeJS.Timeout } | null = null;

  constructor(options: ClaimLoopOptions) {
    this.#options = options;
    this.#run = new CoalescedRun(() => this.#claim(), options.afterEach);
  }

  /**
   * Claims more work soon; `force` also retries after the queue looked empty. Deferred to the next
   * turn of the event loop so that the jobs settling in this turn free their slots first and one
   * claim fills them all.
   */
  wake(force = false): void {
    if (force) this.#woken = true;
    this.#run.request();
  }

  /** Wakes the loop when a job this worker failed is due to run again. */
  wakeAt(runAt: Date): void {
    const at = runAt.getTime();
    if (this.#retryDue && this.#retryDue.at <= at) return;
    if (this.#retryDue) clearTimeout(this.#retryDue.timer);
    // The database's clock decides; a few ms of margin for ours, and the poll covers any skew.
    const timer = setTimeout(
      () => {
        this.#retryDue = null;
        this.wake(true);
      },
      Math.max(0, at - Date.now() + 5),
    );
    timer.unref();
    this.#retryDue = { at, timer };
  }

  /** A claim asked for or in flight. */
  get busy(): boolean {
    return this.#run.busy;
  }

  /** The last claim came back short, and nothing has woken the loop since. */
  get looksEmpty(): boolean {
    return this.#looksEmpty;
  }

  /** A fresh drain tick: what the last one saw of the queue no longer holds. */
  forget(): void {
    this.#looksEmpty = false;
  }

  async #claim(): Promise<void> {
    const { queue, tasks, workerId, leaseMs, backoff } = this.#options;
    if (backoff.waiting) return;
    if (this.#woken) {
      this.#woken = false;
      this.#looksEmpty = false;
    }
    while (!this.#looksEmpty) {
      const wanted = this.#options.wanted();
      if (wanted === 0) return;
      let jobs: ClaimedJob[];
      try {
        jobs = await queue.claim({ tasks, limit: wanted, workerId, leaseMs });
      } catch (error) {
        backoff.failed(error, 'claim');
        return;
      }
      backoff.succeeded();
      this.#options.claimed(jobs);
      if (jobs.length < wanted) this.#looksEmpty = true;
    }
  }
}
