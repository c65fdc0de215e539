-- Less work for every job on its way through the queue, measured on the drain of 40,000 no-op jobs
-- (PostgreSQL CPU per job, 42–46 µs before): each change below saves about 4 µs.

-- Jobs without an invoice (maintenance, other tasks) have no business in the invoice indexes, and
-- each row version of such a job used to add an entry to both. The unique index keeps its meaning:
-- NULLs never conflicted anyway.
DROP INDEX IF EXISTS processing_queue_invoice;
CREATE INDEX processing_queue_invoice ON processing_queue (invoice_id) WHERE invoice_id IS NOT NULL;

DROP INDEX IF EXISTS processing_queue_one_live_job_per_invoice;
CREATE UNIQUE INDEX processing_queue_one_live_job_per_invoice
  ON processing_queue (invoice_id) WHERE status IN ('pending', 'processing') AND invoice_id IS NOT NULL;

-- The foreign key ran one lookup of the job per attempt row, inside every completion. The attempts
-- are written only by the statements that move their job, so they always name a job that exists;
-- purging deletes a job's attempts with it, and attempts left by other deletions once they are
-- past the retention.
ALTER TABLE job_attempts DROP CONSTRAINT IF EXISTS job_attempts_job_id_fkey;
