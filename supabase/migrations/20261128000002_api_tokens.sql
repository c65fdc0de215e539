-- Bearer tokens for FACTEUR_AUTH=token: only their SHA-256 is kept, so a leaked table grants
-- nothing. Each maps to the owner whose invoices it may read and write.
CREATE TABLE IF NOT EXISTS api_tokens (
  token_sha256  text PRIMARY KEY CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  owner         text NOT NULL CHECK (owner <> ''),
  label         text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
