/**
 * What other modules' queries may join from the queue's tables, as SQL fragments: they name the
 * jobs by what they are (the newest job of a task for an invoice, a pending job's place in the
 * claim order), and only this folder names the tables. Each fragment reads; none locks.
 */

/** The queue's tables, for messages that must name them (monitoring, maintenance advice). */
export const QUEUE_TABLES = { jobs: 'processing_queue', attempts: 'job_attempts' } as const;

/**
 * The order in which an owner's pending jobs are claimed: higher priority first, then the earliest
 * due, then the oldest id. Between owners the claim takes turns (Queue's CLAIM): a priority orders
 * only its owner's jobs. The claim index (processing_queue_claim_order) holds pending rows by owner
 * in this order.
 */
export const CLAIM_ORDER = 'priority DESC, run_at, id';

/**
 * The newest job of `task` (an SQL expression) for the invoice `invoice` (an SQL expression): its
 * live job when it has one, else its last finished one. A subquery, for `JOIN LATERAL … ON true`.
 * The invoice's jobs come from processing_queue_invoice; there are few per invoice.
 */
export function latestJob(invoice: string, task: string): string {
  return `(SELECT * FROM processing_queue j WHERE j.invoice_id = ${invoice} AND j.task = ${task}
            ORDER BY j.created_at DESC, j.id DESC LIMIT 1)`;
}

/**
 * The position is counted up to this many jobs ahead, so that a status poll costs the same with a
 * backlog of 100,000 jobs as with 10: counting them all walked the whole backlog (3.6 ms per poll
 * with 20,000 ahead, measured, against 0.3 ms for a finished job) and 1,000 polls a second would
 * have been spent walking it.
 */
export const POSITION_COUNTED_UP_TO = 1_000;

/**
 * A pending job's position (an int, null unless the job `job` — an alias of a processing_queue row
 * — is pending): the pending jobs of its owner that CLAIM_ORDER puts ahead of it, in two ranges of
 * the claim index that its bounds can seek to — higher priorities that are due by the time this
 * job is, then the same priority before it — and no further than POSITION_COUNTED_UP_TO. Other
 * owners' jobs are not counted: claims take turns between owners, so their backlogs delay this job
 * by a few batches at most, however long they are.
 */
export function queuePosition(job: string): string {
  return `CASE WHEN ${job}.status = 'pending' THEN (
           SELECT count(*)::int FROM (
             (SELECT 1 FROM processing_queue p
               WHERE p.status = 'pending' AND p.owner = ${job}.owner AND p.priority > ${job}.priority
                 AND p.run_at <= greatest(now(), ${job}.run_at))
             UNION ALL
             (SELECT 1 FROM processing_queue p
               WHERE p.status = 'pending' AND p.owner = ${job}.owner AND p.priority = ${job}.priority
                 AND (p.run_at, p.id) < (${job}.run_at, ${job}.id))
             LIMIT ${POSITION_COUNTED_UP_TO}
           ) ahead
         ) END`;
}

/**
 * Jobs whose lease expired more than `graceMs` (an SQL expression, in milliseconds) ago: what the
 * reaper takes back (with no grace), and what `facteur doctor` calls stuck (with a minute's). The
 * lease expiry index holds exactly the processing rows.
 */
export function leaseExpired(graceMs: string): string {
  return `status = 'processing' AND locked_until < now() - ${graceMs} * interval '1 millisecond'`;
}
