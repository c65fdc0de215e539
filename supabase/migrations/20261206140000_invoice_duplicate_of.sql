-- The earlier invoice of the same owner with the same bytes, found once when the file is stored
-- (the upload answers it at once); the extraction reads it from here instead of looking again, and
-- adds the probable duplicates only the extracted fields reveal (same supplier and number, or same
-- supplier, date and total). NULL when the file is new, or when the earlier one is purged.
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS duplicate_of uuid REFERENCES invoices (id) ON DELETE SET NULL;

-- The probable-duplicate lookup of one owner's invoices by supplier: its VAT number when it has
-- one, its name otherwise (the expression is the one src/invoices/duplicates.ts compares).
CREATE INDEX IF NOT EXISTS invoices_owner_seller ON invoices (
  owner,
  (coalesce(upper(extracted->'fields'->>'BT-31'), lower(btrim(extracted->'fields'->>'BT-27'))))
);
