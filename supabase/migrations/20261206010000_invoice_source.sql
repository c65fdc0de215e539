-- Where an invoice came from: the way in (the upload page or API, the CLI, a watched folder; later
-- a mailbox or an inbound e-mail webhook) and a few details of it (the folder's path, later the
-- sender, subject and date of the message). Rows from before this migration came in through the
-- upload route or the CLI, which cannot be told apart any more: they say 'upload'.
ALTER TABLE invoices
  ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT 'upload'
    CONSTRAINT invoices_source_check CHECK (source IN ('upload', 'api', 'cli', 'folder', 'mailbox', 'webhook')),
  ADD COLUMN IF NOT EXISTS source_details jsonb NOT NULL DEFAULT '{}'::jsonb
    CONSTRAINT invoices_source_details_check CHECK (jsonb_typeof(source_details) = 'object' AND octet_length(source_details::text) <= 4096),
  -- One arrival of a file through a way in that may deliver it twice (a folder scanned again after
  -- a crash, later a message read again): a second store of the same arrival finds the first.
  ADD COLUMN IF NOT EXISTS arrival_key text;

CREATE UNIQUE INDEX IF NOT EXISTS invoices_owner_arrival_key ON invoices (owner, arrival_key) WHERE arrival_key IS NOT NULL;
