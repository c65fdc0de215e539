-- The dashboard reads the attempts of the last hour or day (throughput, failures, p50/p95): an index
-- on when they finished keeps that a range scan however much history the table keeps.
CREATE INDEX IF NOT EXISTS job_attempts_finished_at ON job_attempts (finished_at);
