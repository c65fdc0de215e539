-- The accounting settings of an organisation's exports (the FEC purchase journal): its journal's
-- code and label and the accounts entries are booked to. One row per owner, read when a journal is
-- written; an owner without a row gets the defaults below (a French chart of accounts: 401
-- suppliers, 607 purchases of goods, 44566 deductible VAT, 4452 VAT due on intra-EU purchases).
CREATE TABLE IF NOT EXISTS export_settings (
  owner text PRIMARY KEY,
  journal_code text NOT NULL DEFAULT 'HA' CHECK (journal_code ~ '^[A-Za-z0-9]{1,10}$'),
  journal_label text NOT NULL DEFAULT 'Achats' CHECK (length(journal_label) BETWEEN 1 AND 100),
  supplier_account text NOT NULL DEFAULT '401' CHECK (supplier_account ~ '^[0-9A-Za-z]{1,20}$'),
  expense_account text NOT NULL DEFAULT '607' CHECK (expense_account ~ '^[0-9A-Za-z]{1,20}$'),
  deductible_vat_account text NOT NULL DEFAULT '44566' CHECK (deductible_vat_account ~ '^[0-9A-Za-z]{1,20}$'),
  reverse_charge_vat_account text NOT NULL DEFAULT '4452' CHECK (reverse_charge_vat_account ~ '^[0-9A-Za-z]{1,20}$'),
  -- The rate the buyer self-assesses on a reverse-charge invoice (category AE), which states none.
  reverse_charge_rate numeric(5, 2) NOT NULL DEFAULT 20 CHECK (reverse_charge_rate >= 0 AND reverse_charge_rate < 100),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A period's invoices in invoice-date order, for an export by invoice date: the keyset pages walk
-- this index instead of sorting the owner's invoices once per page.
CREATE INDEX IF NOT EXISTS invoices_owner_invoice_date ON invoices (owner, (coalesce(corrected, extracted) #>> '{fields,BT-2}'), id);

-- Closed to Supabase clients like the other bookkeeping tables (Facteur connects as the owner).
DO $$
BEGIN
  IF to_regprocedure('auth.uid()') IS NOT NULL THEN
    ALTER TABLE export_settings ENABLE ROW LEVEL SECURITY;
  END IF;
END $$;
