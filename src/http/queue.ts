import type { Facteur } from '../app.ts';
import { queueHistory } from '../queue/history.ts';
import { choiceFrom } from '../validators.ts';
import type { Caller } from './guard.ts';
import { json } from './respond.ts';
import { extractionLimit } from './uploads.ts';

/** Invoices one « retry all » revives at most; the next call takes the rest. */
const RETRY_ALL_MAX = 1_000;

/**
 * What a caller may see of the queue: an admin the whole machine's, a member only its own
 * organisation's jobs (the `scope` of the answer says which). A member never learns another
 * organisation's counts, throughput or the machine's worker ids.
 */
const visibleTo = (caller: Caller) =>
  caller.role === 'admin' ? { scope: 'machine' as const, owner: undefined } : { scope: 'owner' as const, owner: caller.owner };

/** /api/queue/…: the queue as the caller may see it, and the drain tick the scheduler calls. */
export function queueHandlers(facteur: Pick<Facteur, 'db' | 'queue' | 'config'>, tick: () => Promise<unknown>) {
  const { db, queue } = facteur;
  const limit = extractionLimit(facteur);
  return {
    /** GET|POST /api/queue/worker: one drain tick, for the scheduler. */
    worker: async () => json(await tick()),

    /** GET /api/queue/stats: the counts, with `scope` (`machine` for an admin, `owner` for a member). */
    stats: async (_request: Request, caller: Caller) => {
      const { scope, owner } = visibleTo(caller);
      return json({ scope, ...(await queue.stats({ owner })) });
    },

    /**
     * GET /api/queue/dashboard?range=hour|day: throughput and failures per bucket, processing
     * times, and, for an admin, the workers seen; with `scope` as in `stats`.
     */
    dashboard: async (request: Request, caller: Caller) => {
      const range = choiceFrom(new URL(request.url).searchParams.get('range'), ['hour', 'day'], 'INVALID_RANGE', 'range');
      const { scope, owner } = visibleTo(caller);
      return json({ scope, ...(await queueHistory(db, range, { owner })) });
    },

    /**
     * POST /api/queue/retry-failed: gives the caller's failed invoices (the oldest 1,000, and no more
     * than the owner's rate limit leaves this minute) a fresh set of attempts; `{retried}`.
     */
    retryFailed: async (_request: Request, caller: Caller) => {
      const ids = await caller.invoices.failedIds(Math.min(RETRY_ALL_MAX, await limit.before(caller.owner)));
      await limit.spend(caller.owner, ids.length);
      let retried = 0;
      for (const invoiceId of ids) retried += (await queue.retryFailed({ invoiceId })).length;
      return json({ retried });
    },
  };
}
