-- Upload counts per owner and minute, for FACTEUR_UPLOAD_RATE: kept in the database so that the
-- limit holds across every instance of the app (serverless functions included).
CREATE TABLE IF NOT EXISTS upload_rate_limits (
  owner         text NOT NULL,
  window_start  timestamptz NOT NULL,
  files         integer NOT NULL,
  PRIMARY KEY (owner, window_start)
);
