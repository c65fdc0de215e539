-- The accountant's review of an invoice, apart from its job's state: NULL until the extraction is
-- stored, then 'to_review' (with the reasons, stable codes) or 'ready', and a person's decision,
-- 'approved' or 'rejected' (with who, when and, for a rejection, why). `version` grows on every
-- write of the row, so a caller can say which version it acted on (optimistic locking). Rows
-- extracted before this migration are put to review with the reason PRE_REVIEW: they were never
-- looked at against these rules.
ALTER TABLE invoices
  ADD COLUMN IF NOT EXISTS version integer NOT NULL DEFAULT 1,
  ADD COLUMN IF NOT EXISTS review_state text
    CONSTRAINT invoices_review_state_check CHECK (review_state IN ('to_review', 'ready', 'approved', 'rejected')),
  ADD COLUMN IF NOT EXISTS review_reasons jsonb NOT NULL DEFAULT '[]'::jsonb
    CONSTRAINT invoices_review_reasons_check CHECK (jsonb_typeof(review_reasons) = 'array'),
  ADD COLUMN IF NOT EXISTS reviewed_by text,
  ADD COLUMN IF NOT EXISTS reviewed_at timestamptz,
  ADD COLUMN IF NOT EXISTS review_reason text;

UPDATE invoices SET review_state = 'to_review', review_reasons = '[{"code": "PRE_REVIEW", "terms": []}]'::jsonb
 WHERE review_state IS NULL AND extracted IS NOT NULL;

CREATE INDEX IF NOT EXISTS invoices_owner_review_created ON invoices (owner, review_state, created_at DESC);

-- Every review transition, written in the transaction that makes it. The owner is copied so that
-- the trail is scoped like the invoices without a join.
CREATE TABLE IF NOT EXISTS invoice_reviews (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_id uuid NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
  owner text NOT NULL,
  from_state text,
  to_state text NOT NULL,
  reviewed_by text NOT NULL,
  reviewed_at timestamptz NOT NULL DEFAULT now(),
  reason text
);

CREATE INDEX IF NOT EXISTS invoice_reviews_invoice ON invoice_reviews (invoice_id, id);

-- On Supabase, signed-in users read their own trail, like their invoices (see row_level_security).
DO $$
BEGIN
  IF to_regprocedure('auth.uid()') IS NULL THEN
    RETURN;
  END IF;
  ALTER TABLE invoice_reviews ENABLE ROW LEVEL SECURITY;
  DROP POLICY IF EXISTS invoice_reviews_read_own ON invoice_reviews;
  CREATE POLICY invoice_reviews_read_own ON invoice_reviews FOR SELECT TO authenticated
    USING (owner = (SELECT auth.uid())::text);
END
$$;
