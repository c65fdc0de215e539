import type { Sql } from '../../db/types.ts';
import type { ClaimedJob } from '../job.ts';
import type { Outcome } from '../queue.ts';

/** What became of one attempt, decided in memory before it is written. */
export type Decision =
  | { kind: 'completed'; commit: ((tx: Sql) => Promise<void>) | undefined }
  | { kind: 'failed'; error: unknown }
  | { kind: 'released' };

export type Settled = Decision & { outcome: Outcome };

export interface RunningJob {
  job: ClaimedJob;
  controller: AbortController;
  startedAt: number;
  /** The job's timeout. */
  timer: NodeJS.Timeout;
}

/** A lease this worker holds: what renewal and every write are guarded by. */
export type Lease = Pick<Outcome, 'id' | 'lockToken'>;

/**
 * The jobs a worker holds, each in one slot state (docs/worker.md): waiting (claimed ahead of a
 * free slot), running, or settled (its outcome decided, not yet written). Each holds a lease until
 * it is written or lost. How much a claim may ask for is one function of the three.
 */
export class Slots {
  readonly #concurrency: number;
  readonly #prefetch: number;
  readonly #running = new Map<string, RunningJob>();
  #waiting: ClaimedJob[] = [];
  #settled: Settled[] = [];

  constructor(concurrency: number, prefetch: number) {
    this.#concurrency = concurrency;
    this.#prefetch = prefetch;
  }

  /** How many jobs the next claim should ask for; 0 when a claim is not worth it now. */
  get claimable(): number {
    // Outcomes waiting to be written hold leases too. One batch of them may wait while the next
    // is claimed and run (the write in flight takes a round trip); more means the database lags,
    // and claiming stops until they are written.
    const capacity = this.#concurrency + this.#prefetch;
    const held = this.#running.size + this.#waiting.length + Math.max(0, this.#settled.length - capacity);
    const free = capacity - held;
    // With prefetch, top up by at least half of it at a time, unless a slot would sit idle.
    const slotIdle = this.#running.size + this.#waiting.length < this.#concurrency;
    if (free <= 0 || (!slotIdle && free < Math.ceil(this.#prefetch / 2))) return 0;
    return free;
  }

  /** No job running or waiting; outcomes may still be waiting to be written. */
  get empty(): boolean {
    return this.#running.size === 0 && this.#waiting.length === 0;
  }

  get unwritten(): number {
    return this.#settled.length;
  }

  wait(jobs: ClaimedJob[]): void {
    this.#waiting.push(...jobs);
  }

  /** The next waiting job, out of waiting, when a slot is free for it. */
  next(): ClaimedJob | undefined {
    return this.#running.size < this.#concurrency ? this.#waiting.shift() : undefined;
  }

  run(running: RunningJob): void {
    this.#running.set(running.job.id, running);
  }

  /** The job's attempt is over; undefined when it was already (the first of a result and an abort wins). */
  finish(id: string): RunningJob | undefined {
    const running = this.#running.get(id);
    if (!running) return undefined;
    this.#running.delete(id);
    clearTimeout(running.timer);
    return running;
  }

  settle(settled: Settled): void {
    this.#settled.push(settled);
  }

  /** Hands back the jobs claimed ahead, which will not start; true when there were any. */
  releaseWaiting(): boolean {
    if (this.#waiting.length === 0) return false;
    for (const job of this.#waiting.splice(0))
      this.#settled.push({ kind: 'released', outcome: { id: job.id, lockToken: job.lockToken, durationMs: 0 } });
    return true;
  }

  abortRunning(reason: Error): void {
    for (const running of this.#running.values()) running.controller.abort(reason);
  }

  /** The outcomes to write now; `putBack` them if the write fails. */
  takeSettled(): Settled[] {
    const batch = this.#settled;
    this.#settled = [];
    return batch;
  }

  putBack(batch: Settled[]): void {
    this.#settled = batch.concat(this.#settled);
  }

  /** Every lease held: running, waiting, and settled but unwritten (a slow write must not let them expire). */
  leases(): Lease[] {
    const held: Lease[] = [...this.#running.values()].map(({ job }) => ({ id: job.id, lockToken: job.lockToken }));
    for (const job of this.#waiting) held.push({ id: job.id, lockToken: job.lockToken });
    for (const { outcome } of this.#settled) held.push({ id: outcome.id, lockToken: outcome.lockToken });
    return held;
  }

  /** The lease went to another worker: a running job is told to stop, a waiting one never starts. */
  lost(id: string, reason: Error): void {
    this.#running.get(id)?.controller.abort(reason);
    this.#waiting = this.#waiting.filter((job) => job.id !== id);
  }
}
