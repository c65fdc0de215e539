-- Supabase gives its client roles (`anon`, the signed-in `authenticated`) every privilege on every
-- table created in `public`, and Row Level Security alone stands between them and the data: a
-- table without RLS (invoice_reviews) is open to any client, and TRUNCATE, which RLS does not
-- cover, worked on job_attempts for any signed-in user. Facteur connects as the tables' owner and
-- needs none of these grants, so they are taken back: nothing at all for `anon`; for
-- `authenticated`, only the reads of 20261128000004_row_level_security.sql (a user's own invoices,
-- files, jobs and attempts, filtered by its policies). Tables, sequences and functions created
-- later by the same role get nothing either (default privileges), so a new table is closed until
-- a migration opens it on purpose.
--
-- Wherever the roles exist (Supabase, or a server that mimics it); elsewhere this does nothing. It
-- acts on the whole schema Facteur migrates (`public`), the tables of other migrations included
-- (an account's sessions must not be readable by a client either): give Facteur a Supabase
-- project, or a database, of its own.
-- It may run again: revoking and granting the same privileges twice changes nothing.
DO $$
DECLARE
  client text;
  facteur_table text;
BEGIN
  FOREACH client IN ARRAY ARRAY['anon', 'authenticated'] LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = client);
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', current_schema(), client);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', current_schema(), client);
    EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM %I', current_schema(), client);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON TABLES FROM %I', current_schema(), client);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON SEQUENCES FROM %I', current_schema(), client);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON FUNCTIONS FROM %I', current_schema(), client);
  END LOOP;

  -- Only on Supabase (auth.uid() exists, and with it the policies of row_level_security):
  IF to_regprocedure('auth.uid()') IS NULL OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    RETURN;
  END IF;
  -- RLS on every table, so that a grant given by mistake later still shows no other owner's rows
  -- (Facteur, the tables' owner, is not subject to it).
  FOR facteur_table IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', current_schema(), facteur_table);
  END LOOP;
  -- The reads those policies filter. The attempts are a table here, and later a table
  -- (job_attempt_rows) behind a view (job_attempts, 20261206160100): whichever of the two exist.
  GRANT SELECT ON invoices, invoice_files, processing_queue TO authenticated;
  FOR facteur_table IN SELECT unnest(ARRAY['job_attempts', 'job_attempt_rows']) LOOP
    CONTINUE WHEN to_regclass(facteur_table) IS NULL;
    EXECUTE format('GRANT SELECT ON %I TO authenticated', facteur_table);
  END LOOP;
END
$$;
