-- One live job per (task, invoice) instead of per invoice: a second task for the same invoice
-- (sending it to accounting, say) gets a job of its own instead of the invoice's other live job.
-- Enqueueing the same task for the same invoice twice still returns the live job.
DROP INDEX IF EXISTS processing_queue_one_live_job_per_invoice;
CREATE UNIQUE INDEX IF NOT EXISTS processing_queue_one_live_job_per_task
  ON processing_queue (task, invoice_id) WHERE status IN ('pending', 'processing') AND invoice_id IS NOT NULL;

-- Which task a job runs is the enqueuer's to say: the queue no longer assumes invoice processing.
ALTER TABLE processing_queue ALTER COLUMN task DROP DEFAULT;
