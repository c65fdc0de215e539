/**
 * The Worker: claims jobs, runs them, writes their outcomes. Its states (docs/worker.md says more):
 *
 *   The worker, one value (`Lifecycle`):
 *
 *            start()               stop()
 *     idle ──────────▶ running ─────────────▶ stopping ──▶ idle   running jobs done, or aborted
 *       │                                        ▲                after the grace; every outcome
 *       │ drain({ budgetMs })                    │                written, or given up on
 *       └──────────▶ draining ───────────────────┘
 *                     budget spent, queue looks empty, or the database failed
 *
 *   Claims start only while running or draining; a claim still in flight when the worker stops
 *   hands its jobs straight back. A backoff after a database error pauses claims in any state.
 *
 *   A job in this worker (its slot), from claim to written outcome:
 *
 *     claimed ─▶ waiting ──slot free──▶ running ──handler returns──▶ settled ──written──▶ gone
 *                  │  │                   │  │                          ▲   completed, failed
 *                  │  │                   │  ├ handler throws, timeout ─┤   (to retry, or for
 *                  │  │                   │  └ stop, budget, outage ────┤   good), or released
 *                  │  └─ lease lost ──────┴──▶ gone, outcome dropped    │
 *                  └─ stopping, budget spent ─────── released ──────────┘
 *
 *   Every slot until gone holds a lease, renewed every third of it. Free capacity for a claim:
 *   concurrency + prefetch − running − waiting − (settled beyond one whole batch).
 *
 *   The parts live in worker/: slots, attempt, claims, outcomes, backoff, maintenance, coalesced.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';
import type { Db, Sql } from '../db/types.ts';
import { QUEUE_DEFAULTS } from './defaults.ts';
import { LeaseLostError, WorkerStoppingError } from './errors.ts';
import type { ClaimedJob } from './job.ts';
import { type Outcome, type Queue, WAKE_UP_CHANNEL } from './queue.ts';
import { startAttempt } from './worker/attempt.ts';
import { Backoff, MAX_BACKOFF_MS } from './worker/backoff.ts';
import { ClaimLoop } from './worker/claims.ts';
import { CoalescedRun } from './worker/coalesced.ts';
import { Maintenance } from './worker/maintenance.ts';
import { OutcomeWriter } from './worker/outcomes.ts';
import { type Decision, type RunningJob, Slots } from './worker/slots.ts';

export interface TaskContext {
  job: ClaimedJob;
  /** Fires at the job's timeout, when the lease is lost, or when the worker stops: stop the work. */
  signal: AbortSignal;
  db: Db;
  logger: Logger;
}

/**
 * What a handler may return: `commit` runs inside the transaction that marks the job completed,
 * so the job's result and its `completed` status are written together or not at all.
 */
export type TaskResult = void | { commit(tx: Sql): Promise<void> };

export type TaskHandler = (payload: unknown, context: TaskContext) => Promise<TaskResult>;

export type TaskHandlers = Readonly<Record<string, TaskHandler>>;

/**
 * Hooks for metrics: told of every attempt this worker finishes (`lost`: its lease went to another
 * worker) and of every job it reaps. They must not throw or block.
 */
export interface WorkerObserver {
  attemptFinished?(attempt: { task: string; outcome: 'completed' | 'failed' | 'released' | 'lost'; durationMs: number }): void;
  reaped?(count: number): void;
}

export interface WorkerOptions {
  queue: Queue;
  tasks: TaskHandlers;
  /** Structured logs; silent when absent. */
  logger?: Logger;
  observer?: WorkerObserver;
  /** Jobs run at the same time. */
  concurrency?: number;
  /**
   * Jobs claimed ahead of free slots, waiting in this worker with their leases renewed. Larger
   * batches mean fewer commits per job — worth it for short jobs; for long ones it keeps work
   * from idle workers elsewhere, so the default is none.
   */
  prefetch?: number;
  /** A job's AbortSignal fires after this long. */
  jobTimeoutMs?: number;
  /**
   * How long a claim holds without renewal. The worker renews every third of it while the job
   * runs, so a crashed worker's jobs come back within one lease.
   */
  leaseMs?: number;
  /** Poll interval: the truth when notifications are missed or unavailable. */
  pollMs?: number;
  /** Never LISTEN (transaction-mode poolers). */
  pollOnly?: boolean;
  /** How often expired leases are looked for (by one worker of all those running). */
  reapIntervalMs?: number;
  /**
   * Completed and failed jobs older than this are deleted, checked every `purgeIntervalMs` by one
   * worker of all those running; null keeps them forever.
   */
  retentionMs?: number | null;
  purgeIntervalMs?: number;
  workerId?: string;
}

export interface DrainReport {
  claimed: number;
  completed: number;
  failed: number;
  retried: number;
  reaped: number;
  /** Jobs still pending when the tick ended (due now or later). */
  remaining: number;
  durationMs: number;
}

/** Where the worker is in its life (see the diagram above); one value, so no two can mix. */
type Lifecycle = { name: 'idle' } | Running | { name: 'draining'; deadline: number } | { name: 'stopping' };

interface Running {
  name: 'running';
  /** Poll, lease renewal and maintenance. */
  timers: NodeJS.Timeout[];
  unlisten: (() => Promise<void>) | null;
}

/**
 * Runs jobs from the queue. `start()` runs until `stop()`; `drain()` runs one serverless tick.
 * Both use the same machinery: claim in batches sized to free capacity, run each job with an
 * AbortSignal, record outcomes in batches, renew leases, reap expired ones, and ride out database
 * outages by backing off instead of exiting.
 */
export class Worker {
  readonly id: string;
  readonly #queue: Queue;
  readonly #tasks: TaskHandlers;
  readonly #taskNames: string[];
  readonly #logger: Logger;
  readonly #observer: WorkerObserver;
  readonly #concurrency: number;
  readonly #prefetch: number;
  readonly #jobTimeoutMs: number;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #pollOnly: boolean;
  readonly #reapIntervalMs: number;
  readonly #retentionMs: number | null;
  readonly #purgeIntervalMs: number;

  #lifecycle: Lifecycle = { name: 'idle' };
  readonly #slots: Slots;
  readonly #claims: ClaimLoop;
  readonly #outcomes: OutcomeWriter;
  /** Outcome writes: one batch for everything settled in an event-loop turn. */
  readonly #writes = new CoalescedRun(
    () => this.#flush(),
    () => this.#notifyIfIdle(),
  );
  readonly #backoff: Backoff;
  readonly #maintenance: Maintenance;
  #idleWaiters: (() => void)[] = [];
  #counts = { claimed: 0, completed: 0, failed: 0, retried: 0, reaped: 0 };

  constructor(options: WorkerOptions) {
    this.#queue = options.queue;
    this.#tasks = options.tasks;
    this.#taskNames = Object.keys(options.tasks);
    this.#logger = options.logger ?? pino({ level: 'silent' });
    this.#observer = options.observer ?? {};
    this.#concurrency = options.concurrency ?? QUEUE_DEFAULTS.concurrency;
    this.#prefetch = options.prefetch ?? QUEUE_DEFAULTS.prefetch;
    this.#jobTimeoutMs = options.jobTimeoutMs ?? QUEUE_DEFAULTS.jobTimeoutMs;
    this.#leaseMs = options.leaseMs ?? QUEUE_DEFAULTS.leaseMs;
    this.#pollMs = options.pollMs ?? QUEUE_DEFAULTS.pollMs;
    this.#pollOnly = options.pollOnly ?? false;
    this.#reapIntervalMs = options.reapIntervalMs ?? this.#leaseMs;
    this.#retentionMs = options.retentionMs ?? null;
    this.#purgeIntervalMs = options.purgeIntervalMs ?? QUEUE_DEFAULTS.purgeIntervalMs;
    this.id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1)
      throw new RangeError('concurrency must be a whole number of 1 or more');
    if (!Number.isInteger(this.#prefetch) || this.#prefetch < 0) throw new RangeError('prefetch must be a whole number of 0 or more');
    if (this.#taskNames.length === 0) throw new RangeError('a worker needs at least one task handler');
    this.#slots = new Slots(this.#concurrency, this.#prefetch);
    this.#backoff = new Backoff(this.#logger, () => {
      if (this.#slots.unwritten > 0) this.#writes.request();
      this.#claims.wake(true);
    });
    this.#claims = new ClaimLoop({
      queue: this.#queue,
      tasks: this.#taskNames,
      workerId: this.id,
      leaseMs: this.#leaseMs,
      backoff: this.#backoff,
      wanted: () => (this.#claiming() ? this.#slots.claimable : 0),
      claimed: (jobs) => this.#admit(jobs),
      afterEach: () => this.#notifyIfIdle(),
    });
    this.#outcomes = new OutcomeWriter(this.#queue, (runAt) => this.#claims.wakeAt(runAt));
    this.#maintenance = new Maintenance({
      queue: this.#queue,
      logger: this.#logger,
      reapIntervalMs: this.#reapIntervalMs,
      retentionMs: this.#retentionMs,
      purgeIntervalMs: this.#purgeIntervalMs,
      reaped: (count) => {
        this.#counts.reaped += count;
        this.#observer.reaped?.(count);
      },
    });
  }

  /** Starts claiming and running jobs until `stop()`. */
  async start(): Promise<void> {
    if (this.#lifecycle.name !== 'idle') throw new Error('This worker is already running.');
    const lifecycle: Running = { name: 'running', timers: [], unlisten: null };
    this.#lifecycle = lifecycle;
    this.#counts = { claimed: 0, completed: 0, failed: 0, retried: 0, reaped: 0 };
    if (!this.#pollOnly && this.#queue.db.canListen) {
      try {
        lifecycle.unlisten = await this.#queue.db.listen(WAKE_UP_CHANNEL, () => this.#claims.wake(true));
      } catch (error) {
        this.#logger.warn({ err: error }, 'LISTEN failed; polling only until it comes back');
      }
    }
    // Stopped while LISTEN was on its way: set nothing up that stop() can no longer clear.
    if (this.#lifecycle !== lifecycle) {
      await lifecycle.unlisten?.().catch(() => {});
      return;
    }
    // A started worker's timers keep the process alive, even while every connection is down.
    const every = (ms: number, fn: () => void) => lifecycle.timers.push(repeat(ms, fn));
    every(this.#pollMs, () => this.#claims.wake(true));
    every(this.#leaseMs / 3, () => void this.#renewLeases());
    this.#maintenance.schedule(every);
    this.#logger.info({ workerId: this.id, concurrency: this.#concurrency, tasks: this.#taskNames }, 'worker started');
    void this.#maintenance.reap();
    this.#claims.wake(true);
  }

  /**
   * Stops claiming, lets running jobs finish for up to `graceMs`, then aborts and releases the
   * rest, and writes every outcome before resolving.
   */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    const lifecycle = this.#lifecycle;
    if (lifecycle.name !== 'running') return;
    this.#lifecycle = { name: 'stopping' };
    for (const timer of lifecycle.timers) clearInterval(timer);
    this.#backoff.cancel();
    await lifecycle.unlisten?.().catch(() => {});
    const graceMs = options.graceMs ?? QUEUE_DEFAULTS.graceMs;
    this.#releaseWaiting();
    await Promise.race([this.#untilIdle(), sleep(graceMs)]);
    this.#slots.abortRunning(new WorkerStoppingError());
    await this.#untilIdle();
    // With the database gone, give up after a while: the unwritten jobs' leases expire and they run again.
    await this.#flushUntilWritten(Date.now() + graceMs + MAX_BACKOFF_MS);
    this.#lifecycle = { name: 'idle' };
    this.#logger.info({ workerId: this.id, ...this.#counts }, 'worker stopped');
  }

  /**
   * One serverless tick: reaps expired leases, then claims and runs jobs until the queue has
   * nothing runnable or the budget is spent. A job still running when the budget ends is aborted
   * and released, so the tick never outlives its budget by more than one write.
   */
  async drain(options: { budgetMs: number }): Promise<DrainReport> {
    if (this.#lifecycle.name !== 'idle') throw new Error('This worker is already running.');
    const started = Date.now();
    const deadline = started + options.budgetMs;
    this.#lifecycle = { name: 'draining', deadline };
    this.#counts = { claimed: 0, completed: 0, failed: 0, retried: 0, reaped: 0 };
    this.#claims.forget();
    this.#backoff.forget();
    const budgetTimer = setTimeout(() => {
      this.#lifecycle = { name: 'stopping' };
      this.#releaseWaiting();
      this.#slots.abortRunning(new WorkerStoppingError());
    }, options.budgetMs);
    // A tick may outlast a lease (the default budget is 270 s): its jobs' leases are renewed as in a started worker.
    const renewal = repeat(this.#leaseMs / 3, () => void this.#renewLeases());
    try {
      await this.#maintenance.reap();
      this.#claims.wake(true);
      while (this.#claiming()) {
        await this.#untilIdle();
        if (this.#claims.looksEmpty || this.#backoff.failures > 0) break;
        this.#claims.wake(true);
      }
      // Winding down: a retry or a written outcome must not start another claim now.
      this.#lifecycle = { name: 'stopping' };
      await this.#untilIdle();
      await this.#flushUntilWritten(deadline + MAX_BACKOFF_MS);
    } finally {
      clearTimeout(budgetTimer);
      clearInterval(renewal);
      this.#backoff.cancel();
      this.#lifecycle = { name: 'idle' };
    }
    const stats = await this.#queue.stats().catch(() => null);
    return { ...this.#counts, remaining: stats ? stats.pending : -1, durationMs: Date.now() - started };
  }

  /** Running or draining with time left for a claim to be worth it. */
  #claiming(): boolean {
    const lifecycle = this.#lifecycle;
    return lifecycle.name === 'running' || (lifecycle.name === 'draining' && lifecycle.deadline - Date.now() >= 50);
  }

  #admit(jobs: ClaimedJob[]): void {
    this.#counts.claimed += jobs.length;
    this.#slots.wait(jobs);
    const { name } = this.#lifecycle;
    if (name === 'running' || name === 'draining') this.#startWaiting();
    // Stopped while the claim was in flight: these jobs will not start, like those claimed ahead.
    else this.#releaseWaiting();
  }

  /** Starts claimed jobs while slots are free. */
  #startWaiting(): void {
    for (let job = this.#slots.next(); job; job = this.#slots.next()) this.#run(job);
  }

  /** Hands back jobs claimed ahead that will not start (stop, end of a drain budget). */
  #releaseWaiting(): void {
    if (this.#slots.releaseWaiting()) this.#writes.request();
  }

  #run(job: ClaimedJob): void {
    const logger = this.#logger.child({ jobId: job.id, invoiceId: job.invoiceId, task: job.task, attempt: job.attempts });
    const running = startAttempt(
      job,
      this.#tasks[job.task]!,
      { db: this.#queue.db, logger, timeoutMs: this.#jobTimeoutMs },
      (attempt, end) => (end.kind === 'lost' ? this.#forget(attempt, logger) : this.#settle(attempt, logger, end)),
    );
    this.#slots.run(running);
  }

  #settle(running: RunningJob, logger: Logger, decision: Decision): void {
    if (!this.#slots.finish(running.job.id)) return;
    const durationMs = performance.now() - running.startedAt;
    const outcome: Outcome = { id: running.job.id, lockToken: running.job.lockToken, durationMs };
    if (decision.kind === 'failed') logger.warn({ err: decision.error, durationMs }, 'job attempt failed');
    else logger.debug({ durationMs, outcome: decision.kind }, 'job attempt finished');
    this.#observer.attemptFinished?.({ task: running.job.task, outcome: decision.kind, durationMs });
    this.#slots.settle({ ...decision, outcome });
    this.#startWaiting();
    this.#writes.request();
    this.#claims.wake();
  }

  #forget(running: RunningJob, logger: Logger): void {
    if (!this.#slots.finish(running.job.id)) return;
    logger.warn('lease lost: the job is someone else’s now; its outcome is dropped');
    this.#observer.attemptFinished?.({ task: running.job.task, outcome: 'lost', durationMs: performance.now() - running.startedAt });
    this.#startWaiting();
    this.#claims.wake();
    this.#notifyIfIdle();
  }

  /** Writes every decided outcome: completions in one transaction, failures and releases in one statement each. */
  async #flush(): Promise<void> {
    const batch = this.#slots.takeSettled();
    if (batch.length === 0) return;
    try {
      await this.#outcomes.write(batch, this.#counts);
      this.#backoff.succeeded();
      // Unwritten outcomes count against claiming; now written, they free capacity that no
      // settling job may be left to ask for (measured: drains stalled until the next poll).
      this.#claims.wake();
    } catch (error) {
      this.#slots.putBack(batch);
      this.#backoff.failed(error, 'record outcomes');
    }
  }

  /** Writes outcomes until none is left, or the time is past `until` (then they stay leased and expire). */
  async #flushUntilWritten(until: number): Promise<void> {
    while (this.#slots.unwritten > 0 || this.#writes.busy) {
      if (Date.now() > until) {
        this.#logger.error(
          { unwritten: this.#slots.unwritten },
          'could not record outcomes before the deadline; their leases will expire and the jobs run again',
        );
        return;
      }
      const running = this.#writes.running;
      if (running) await running;
      else {
        if (!this.#backoff.waiting) this.#writes.request();
        await sleep(this.#backoff.waiting ? 50 : 1);
      }
    }
  }

  async #renewLeases(): Promise<void> {
    const held = this.#slots.leases();
    if (held.length === 0) return;
    let stillOurs: Set<string>;
    try {
      stillOurs = await this.#queue.extendLeases(held, this.#leaseMs);
    } catch (error) {
      this.#logger.warn({ err: error }, 'could not renew leases');
      return;
    }
    // Only jobs that were asked about: others were claimed while the statement ran.
    for (const { id } of held) {
      if (!stillOurs.has(id)) this.#slots.lost(id, new LeaseLostError());
    }
  }

  #untilIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** No job running and no claim in flight; outcomes may still be waiting to be written. */
  #isIdle(): boolean {
    return this.#slots.empty && !this.#claims.busy;
  }

  #notifyIfIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function repeat(ms: number, fn: () => void): NodeJS.Timeout {
  return setInterval(fn, Math.max(10, Math.round(ms)));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
