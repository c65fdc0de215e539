-- Periodic queue maintenance (purging finished jobs, reaping expired leases) runs in whichever
-- worker first claims the turn: one row per task, moved forward by a single guarded statement, so
-- of many workers asking at once exactly one runs it, and no lock is held while it runs.
CREATE TABLE IF NOT EXISTS queue_maintenance (
  task         text PRIMARY KEY,
  last_run_at  timestamptz NOT NULL
);
