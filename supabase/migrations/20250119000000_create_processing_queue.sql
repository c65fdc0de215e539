-- Facteur's schema: the invoices, their files, the processing queue and its attempt history.
-- Plain SQL, idempotent, valid for `facteur migrate` and for `supabase db push` alike.

-- One row per uploaded document. The bytes live in invoice_files so that listing invoices never
-- drags megabytes of PDF through the buffer cache.
CREATE TABLE IF NOT EXISTS invoices (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner         text NOT NULL DEFAULT 'local',
  file_name     text NOT NULL,
  media_type    text NOT NULL,
  size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  format        text,
  extracted     jsonb,
  validation    jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS invoices_owner_created ON invoices (owner, created_at DESC);
CREATE INDEX IF NOT EXISTS invoices_owner_sha256 ON invoices (owner, sha256);

CREATE TABLE IF NOT EXISTS invoice_files (
  invoice_id    uuid PRIMARY KEY REFERENCES invoices (id) ON DELETE CASCADE,
  content       bytea NOT NULL
);

-- The original design's queue table, every column kept with its meaning, plus the lease.
CREATE TABLE IF NOT EXISTS processing_queue (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  invoice_id    uuid REFERENCES invoices (id) ON DELETE CASCADE,
  task          text NOT NULL DEFAULT 'process_invoice',
  payload       jsonb NOT NULL DEFAULT '{}',
  status        text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
  priority      integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN -1000 AND 1000),
  attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts  integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 100),
  run_at        timestamptz NOT NULL DEFAULT now(),
  locked_by     text,
  lock_token    uuid,
  locked_until  timestamptz,
  last_error    text,
  error_code    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  completed_at  timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  -- A job holds a lease exactly while it is processing: the guards on every transition rely on it.
  CONSTRAINT processing_queue_lease_iff_processing
    CHECK ((status = 'processing') = (lock_token IS NOT NULL AND locked_until IS NOT NULL))
);

-- One live job per invoice: enqueueing twice returns the live job instead of adding another.
CREATE UNIQUE INDEX IF NOT EXISTS processing_queue_one_live_job_per_invoice
  ON processing_queue (invoice_id) WHERE status IN ('pending', 'processing');

-- The claim walks this index in claim order and stops after the batch: only pending rows are in it,
-- so it stays small however many finished jobs the table keeps.
CREATE INDEX IF NOT EXISTS processing_queue_claim_order
  ON processing_queue (priority DESC, run_at, id) WHERE status = 'pending';

-- The reaper looks for expired leases among processing rows only.
CREATE INDEX IF NOT EXISTS processing_queue_lease_expiry
  ON processing_queue (locked_until) WHERE status = 'processing';

-- Purging finished jobs by age.
CREATE INDEX IF NOT EXISTS processing_queue_finished_at
  ON processing_queue (completed_at) WHERE status IN ('completed', 'failed');

CREATE INDEX IF NOT EXISTS processing_queue_invoice ON processing_queue (invoice_id);

-- The queue churns: every job is updated twice then left. Vacuum by a fixed number of dead rows
-- rather than a fraction of a table that keeps its finished jobs (Oban's advice).
ALTER TABLE processing_queue SET (
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_analyze_scale_factor = 0,
  autovacuum_analyze_threshold = 1000
);

-- Every attempt, as the UI shows it: written when the attempt ends (completed, failed, retried,
-- reaped after its lease expired, released at shutdown).
CREATE TABLE IF NOT EXISTS job_attempts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id        uuid NOT NULL REFERENCES processing_queue (id) ON DELETE CASCADE,
  attempt       integer NOT NULL,
  worker        text,
  started_at    timestamptz,
  finished_at   timestamptz NOT NULL DEFAULT now(),
  outcome       text NOT NULL CHECK (outcome IN ('completed', 'failed', 'retried', 'reaped', 'released')),
  error         text,
  error_code    text,
  duration_ms   integer
);
CREATE INDEX IF NOT EXISTS job_attempts_job ON job_attempts (job_id, attempt);
