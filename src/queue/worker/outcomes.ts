import { printableLine } from '../../text.ts';
import { isConnectionError } from '../../db/errors.ts';
import type { Sql } from '../../db/types.ts';
import { errorMessage } from '../../errors.ts';
import { errorCodeOf, isPermanent } from '../errors.ts';
import type { Queue } from '../queue.ts';
import type { Settled } from './slots.ts';

type Completion = Extract<Settled, { kind: 'completed' }>;
type FailedAttempt = Extract<Settled, { kind: 'failed' }>;

/** What the written outcomes add up to; counted as each statement commits. */
export interface Tally {
  completed: number;
  failed: number;
  retried: number;
}

/**
 * Writes a batch of settled outcomes: completions in one transaction, failures and releases in
 * one statement each. A write that throws leaves what it had not written to be written again;
 * every statement is guarded by the lease token, so writing an outcome twice changes nothing.
 */
export class OutcomeWriter {
  readonly #queue: Queue;
  /** Told when a failed attempt is to run again, and when. */
  readonly #retryScheduled: (runAt: Date) => void;

  constructor(queue: Queue, retryScheduled: (runAt: Date) => void) {
    this.#queue = queue;
    this.#retryScheduled = retryScheduled;
  }

  async write(batch: Settled[], tally: Tally): Promise<void> {
    const completions = batch.filter((s): s is Completion => s.kind === 'completed');
    const failures = batch.filter((s): s is FailedAttempt => s.kind === 'failed');
    const releases = batch.filter((s) => s.kind === 'released');
    const failedCommits = await this.#writeCompletions(completions, tally);
    const allFailures = [...failures, ...failedCommits];
    if (allFailures.length > 0) {
      const results = await this.#queue.fail(
        allFailures.map((s) => ({
          ...s.outcome,
          // Stored, then shown on pages and terminals: an error may quote the file that caused it.
          error: printableLine(errorMessage(s.error)),
          errorCode: errorCodeOf(s.error),
          permanent: isPermanent(s.error),
        })),
      );
      for (const result of results) {
        tally[result.status === 'failed' ? 'failed' : 'retried'] += 1;
        if (result.status === 'pending') this.#retryScheduled(result.runAt);
      }
    }
    if (releases.length > 0) await this.#queue.release(releases.map((s) => s.outcome));
  }

  /**
   * Completes jobs together with their handlers' results. If one result cannot be written, the
   * batch is retried job by job so that one bad result fails only its own job.
   */
  async #writeCompletions(completions: Completion[], tally: Tally): Promise<FailedAttempt[]> {
    if (completions.length === 0) return [];
    if (completions.every((c) => c.commit === undefined)) {
      tally.completed += (await this.#queue.complete(completions.map((c) => c.outcome))).size;
      return [];
    }
    try {
      tally.completed += await this.#queue.db.transaction((tx) => this.#completeInTransaction(tx, completions));
      return [];
    } catch (batchError) {
      if (isConnectionError(batchError)) throw batchError;
    }
    const failed: FailedAttempt[] = [];
    for (const completion of completions) {
      try {
        tally.completed += await this.#queue.db.transaction((tx) => this.#completeInTransaction(tx, [completion]));
      } catch (error) {
        if (isConnectionError(error)) throw error;
        failed.push({ kind: 'failed', outcome: completion.outcome, error });
      }
    }
    return failed;
  }

  async #completeInTransaction(tx: Sql, completions: Completion[]): Promise<number> {
    const stillOurs = await this.#queue.complete(
      completions.map((c) => c.outcome),
      { tx },
    );
    for (const completion of completions) {
      if (completion.commit && stillOurs.has(completion.outcome.id)) await completion.commit(tx);
    }
    return stillOurs.size;
  }
}
