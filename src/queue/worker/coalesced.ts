/**
 * Runs an async task soon — on the next turn of the event loop, so that everything that asks for
 * it in this turn shares one run — and never twice at once: asking while it runs gets one more
 * run, on the turn after it ends. The Worker claims and records outcomes this way, one statement
 * per batch.
 */
export class CoalescedRun {
  readonly #task: () => Promise<void>;
  readonly #afterEach: () => void;
  #scheduled = false;
  #running: Promise<void> | null = null;

  constructor(task: () => Promise<void>, afterEach: () => void) {
    this.#task = task;
    this.#afterEach = afterEach;
  }

  request(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // A run in flight schedules the next one when it ends.
    if (!this.#running) setImmediate(() => this.#start());
  }

  /** Asked for or running. */
  get busy(): boolean {
    return this.#scheduled || this.#running !== null;
  }

  /** The run in flight, if any. */
  get running(): Promise<void> | null {
    return this.#running;
  }

  #start(): void {
    this.#scheduled = false;
    this.#running = this.#task().finally(() => {
      this.#running = null;
      // Asked for while running: start on the next turn too, not in this microtask, so that what
      // settles in the meantime (the jobs of a batch just claimed) joins the next run.
      if (this.#scheduled) setImmediate(() => this.#start());
      this.#afterEach();
    });
  }
}
