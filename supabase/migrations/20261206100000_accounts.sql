-- FACTEUR_AUTH=accounts: people sign in to the web app. An organisation is an owner (its name is
-- the `owner` of its invoices, as a token's owner is); several people belong to one and see the
-- same invoices. Passwords are kept as scrypt hashes, sessions as the SHA-256 of their cookie, so
-- a leaked table lets nobody in.
CREATE TABLE IF NOT EXISTS organisations (
  name        text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9._@-]{1,100}$'),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS users (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Kept in lower case, so that one address is one account however it is typed.
  email          text NOT NULL UNIQUE CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$'),
  organisation   text NOT NULL REFERENCES organisations (name),
  role           text NOT NULL CHECK (role IN ('admin', 'member')),
  -- scrypt$<log2 N>$<r>$<p>$<salt>$<hash>: the parameters travel with the hash, so they can grow.
  password_hash  text NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS users_organisation ON users (organisation);

-- A signed-in browser: the cookie holds a random token, this table only its SHA-256. Removing or
-- resetting a user deletes its sessions (the cascade and `facteur user reset`); signing out deletes one.
CREATE TABLE IF NOT EXISTS sessions (
  token_sha256  text PRIMARY KEY CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at);

-- Sign-in attempts per subject (`account:<email>`, `address:<ip>`) and 15-minute window, counted
-- before the password is checked: the throttle holds across every instance of the app.
CREATE TABLE IF NOT EXISTS sign_in_attempts (
  subject       text NOT NULL,
  window_start  timestamptz NOT NULL,
  attempts      integer NOT NULL,
  PRIMARY KEY (subject, window_start)
);
CREATE INDEX IF NOT EXISTS sign_in_attempts_window_start ON sign_in_attempts (window_start);

-- FACTEUR_AUTH=token: a token may stand for an administrator (`facteur token create --role admin`).
ALTER TABLE api_tokens ADD COLUMN IF NOT EXISTS role text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member'));

-- Closed to Supabase clients, like the other bookkeeping tables (see the row-level security migration).
DO $$
BEGIN
  IF to_regprocedure('auth.uid()') IS NULL THEN
    RETURN;
  END IF;
  ALTER TABLE organisations ENABLE ROW LEVEL SECURITY;
  ALTER TABLE users ENABLE ROW LEVEL SECURITY;
  ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
  ALTER TABLE sign_in_attempts ENABLE ROW LEVEL SECURITY;
END
$$;
