-- Mailboxes read over IMAP, one or more per owner. The password is kept sealed (AES-256-GCM with
-- FACTEUR_SECRET_KEY, which never enters the database): a leaked table or backup gives no access
-- to anyone's mail.
CREATE TABLE IF NOT EXISTS mailboxes (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner            text NOT NULL CHECK (owner <> ''),
  name             text NOT NULL CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
  host             text NOT NULL CHECK (host <> '' AND length(host) <= 255),
  port             integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
  tls              boolean NOT NULL,
  username         text NOT NULL CHECK (username <> '' AND length(username) <= 255),
  sealed_password  text NOT NULL,
  folder           text NOT NULL DEFAULT 'INBOX' CHECK (folder <> ''),
  -- Where a message goes once taken; null leaves it in place with the $Facteur keyword.
  processed_folder text CHECK (processed_folder <> ''),
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner, name)
);

-- Every message a way in by e-mail (a mailbox or a webhook) has dealt with, taken or refused, in
-- the transaction that stored its invoices: the unique key makes a message read twice (a restart
-- mid-poll, two workers on one mailbox, a webhook retried) give its invoices once. The key is the
-- Message-ID with the attachments' hashes (see src/intake/mail.ts).
CREATE TABLE IF NOT EXISTS mail_messages (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner         text NOT NULL CHECK (owner <> ''),
  message_key   text NOT NULL CHECK (message_key ~ '^[0-9a-f]{64}$'),
  -- 'mailbox' or 'webhook:<provider>'
  channel       text NOT NULL CHECK (channel ~ '^(mailbox|webhook:[a-z]+)$'),
  mailbox_id    uuid REFERENCES mailboxes (id) ON DELETE SET NULL,
  message_id    text CHECK (length(message_id) <= 1000),
  sender        text CHECK (length(sender) <= 500),
  subject       text CHECK (length(subject) <= 500),
  sent_at       text CHECK (length(sent_at) <= 100),
  size_bytes    bigint,
  status        text NOT NULL CHECK (status IN ('taken', 'refused')),
  -- Why the message gave no invoice (a stable code and a sentence), or null when it gave some.
  reason_code   text,
  reason        text CHECK (length(reason) <= 2000),
  invoice_ids   uuid[] NOT NULL DEFAULT '{}',
  -- Attachments left out, each {file, code}: kept short, at most the first 50.
  skipped       jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(skipped) = 'array' AND octet_length(skipped::text) <= 16384),
  received_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner, message_key)
);

CREATE INDEX IF NOT EXISTS mail_messages_owner_received ON mail_messages (owner, received_at DESC);

-- Inbound webhook requests already accepted, by the provider's own id or signature: a replayed
-- request within the timestamp window finds its nonce here and is refused.
CREATE TABLE IF NOT EXISTS inbound_nonces (
  provider     text NOT NULL,
  nonce        text NOT NULL CHECK (length(nonce) <= 200),
  seen_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, nonce)
);

-- Closed to Supabase clients like the other bookkeeping tables: Facteur connects as their owner.
DO $$
BEGIN
  IF to_regprocedure('auth.uid()') IS NULL THEN
    RETURN;
  END IF;
  ALTER TABLE mailboxes ENABLE ROW LEVEL SECURITY;
  ALTER TABLE mail_messages ENABLE ROW LEVEL SECURITY;
  ALTER TABLE inbound_nonces ENABLE ROW LEVEL SECURITY;
END
$$;
