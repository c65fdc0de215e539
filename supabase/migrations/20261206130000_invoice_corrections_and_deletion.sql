-- Corrections as an overlay, and soft deletion (issue 14, points 3 and 8).
--
-- `extracted` stays what the file said; `invoice_corrections` records each change a person made
-- (term or row path, old and new value, who, when), and `corrected` holds the invoice with them
-- applied and re-validated (src/invoices/corrections.ts, applyCorrections), NULL while there is
-- none: the views and exports read COALESCE(corrected, extracted). `validation` and the review
-- state then describe the corrected invoice.
--
-- A deleted invoice keeps its row until the retention has passed (`facteur purge-deleted`): it is
-- hidden from the lists and exports, and restorable. `invoice_audit` records every delete,
-- restore and purge; it has no foreign key, so that a purge stays in it.
ALTER TABLE invoices
  ADD COLUMN IF NOT EXISTS corrected jsonb,
  ADD COLUMN IF NOT EXISTS deleted_at timestamptz,
  ADD COLUMN IF NOT EXISTS deleted_by text;

CREATE INDEX IF NOT EXISTS invoices_deleted_at ON invoices (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS invoice_corrections (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_id uuid NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
  owner text NOT NULL,
  -- 'BT-27' for a header term, 'BG-23[0].BT-116' for a VAT breakdown row's, 'BG-25[2].BT-131' for a line's.
  term text NOT NULL CONSTRAINT invoice_corrections_term_check CHECK (term ~ '^(BG-(23|25)\[[0-9]+\]\.)?BT-[0-9]+$'),
  from_value text,
  to_value text,
  corrected_by text NOT NULL,
  corrected_at timestamptz NOT NULL DEFAULT now(),
  -- The invoice's version this correction produced: the corrections saved together share it.
  version integer NOT NULL
);

CREATE INDEX IF NOT EXISTS invoice_corrections_invoice ON invoice_corrections (invoice_id, id);

CREATE TABLE IF NOT EXISTS invoice_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_id uuid NOT NULL,
  owner text NOT NULL,
  action text NOT NULL CONSTRAINT invoice_audit_action_check CHECK (action IN ('delete', 'restore', 'purge')),
  actor text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS invoice_audit_invoice ON invoice_audit (invoice_id, id);

-- On Supabase, signed-in users read their own corrections and audit rows, like their invoices.
DO $$
BEGIN
  IF to_regprocedure('auth.uid()') IS NULL THEN
    RETURN;
  END IF;
  ALTER TABLE invoice_corrections ENABLE ROW LEVEL SECURITY;
  DROP POLICY IF EXISTS invoice_corrections_read_own ON invoice_corrections;
  CREATE POLICY invoice_corrections_read_own ON invoice_corrections FOR SELECT TO authenticated
    USING (owner = (SELECT auth.uid())::text);
  ALTER TABLE invoice_audit ENABLE ROW LEVEL SECURITY;
  DROP POLICY IF EXISTS invoice_audit_read_own ON invoice_audit;
  CREATE POLICY invoice_audit_read_own ON invoice_audit FOR SELECT TO authenticated
    USING (owner = (SELECT auth.uid())::text);
END
$$;
