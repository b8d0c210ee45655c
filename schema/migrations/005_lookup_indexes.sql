-- Mappings may name a customer or an invoice by its number instead of its ERP id (a mapping's
-- `lookup: number`); the store resolves those with these indexes.
CREATE INDEX customers_number ON customers (source, number) WHERE number IS NOT NULL;
CREATE INDEX invoices_number ON invoices (source, number);
CREATE INDEX credit_memos_number ON credit_memos (source, number);
