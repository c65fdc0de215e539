-- Row Level Security for deployments where browsers query the tables with a Supabase client
-- (supabase-js with the anon key and the user's session). Facteur itself connects as the tables'
-- owner and is not subject to these policies; its API scopes every query by owner on its own.
--
-- Only on Supabase (where auth.uid() exists): elsewhere this migration does nothing. Signed-in
-- users may read their own invoices, files, jobs and attempts (owner = their user id, as with
-- FACTEUR_AUTH=supabase and the default FACTEUR_OWNER_CLAIM=sub); nobody may write through a
-- client, and the bookkeeping tables (tokens, rate limits, migrations) are closed to clients.
DO $$
BEGIN
  IF to_regprocedure('auth.uid()') IS NULL THEN
    RETURN;
  END IF;

  ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
  ALTER TABLE invoice_files ENABLE ROW LEVEL SECURITY;
  ALTER TABLE processing_queue ENABLE ROW LEVEL SECURITY;
  ALTER TABLE job_attempts ENABLE ROW LEVEL SECURITY;
  ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
  ALTER TABLE upload_rate_limits ENABLE ROW LEVEL SECURITY;
  ALTER TABLE queue_maintenance ENABLE ROW LEVEL SECURITY;
  ALTER TABLE facteur_migrations ENABLE ROW LEVEL SECURITY;

  DROP POLICY IF EXISTS invoices_read_own ON invoices;
  CREATE POLICY invoices_read_own ON invoices FOR SELECT TO authenticated
    USING (owner = (SELECT auth.uid())::text);

  DROP POLICY IF EXISTS invoice_files_read_own ON invoice_files;
  CREATE POLICY invoice_files_read_own ON invoice_files FOR SELECT TO authenticated
    USING (invoice_id IN (SELECT id FROM invoices WHERE owner = (SELECT auth.uid())::text));

  DROP POLICY IF EXISTS processing_queue_read_own ON processing_queue;
  CREATE POLICY processing_queue_read_own ON processing_queue FOR SELECT TO authenticated
    USING (invoice_id IN (SELECT id FROM invoices WHERE owner = (SELECT auth.uid())::text));

  DROP POLICY IF EXISTS job_attempts_read_own ON job_attempts;
  CREATE POLICY job_attempts_read_own ON job_attempts FOR SELECT TO authenticated
    USING (job_id IN (SELECT q.id FROM processing_queue q JOIN invoices i ON i.id = q.invoice_id
                       WHERE i.owner = (SELECT auth.uid())::text));
END
$$;
