-- Fair claiming between owners (issue 19): one owner's backlog no longer makes every other owner
-- wait behind it, and a priority orders jobs within its owner only.

-- Whose job it is: the invoice's owner, copied at enqueue so that the claim reads it from its own
-- index; '' for a job that belongs to no owner (no invoice, none given). Adding a column with a
-- constant default rewrites nothing; the backfill rewrites the jobs that have an invoice.
ALTER TABLE processing_queue ADD COLUMN IF NOT EXISTS owner text NOT NULL DEFAULT '';
UPDATE processing_queue q SET owner = i.owner FROM invoices i WHERE i.id = q.invoice_id AND q.owner <> i.owner;

-- The claim order within each owner. The claim enumerates the owners with pending jobs by
-- skipping through the leading column (one descent per owner), then walks each owner's range in
-- priority order; a job's position is counted within its owner's range.
DROP INDEX IF EXISTS processing_queue_claim_order;
CREATE INDEX IF NOT EXISTS processing_queue_claim_order
  ON processing_queue (owner, priority DESC, run_at, id) WHERE status = 'pending';

-- When each owner last had jobs claimed: the claim serves the least recently served owners first.
-- One small row per owner, updated by every claim that serves it (never an indexed column, so the
-- updates are HOT and the free space of a half-full page takes them).
CREATE TABLE IF NOT EXISTS queue_owners (
  owner            text PRIMARY KEY,
  last_claimed_at  timestamptz NOT NULL DEFAULT '-infinity'
) WITH (fillfactor = 50);

-- Bookkeeping, closed to Supabase clients like queue_maintenance (Row Level Security, no policy).
DO $$
BEGIN
  IF to_regprocedure('auth.uid()') IS NOT NULL THEN
    ALTER TABLE queue_owners ENABLE ROW LEVEL SECURITY;
  END IF;
END
$$;
