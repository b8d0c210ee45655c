-- A message to the AR team is pushed to the ERP like the other portal writes (issue 7); the
-- ERP's id for it is kept here once the ERP has it (disputes, promises to pay and credit
-- requests have had erp_ref since 001/006).
ALTER TABLE messages ADD COLUMN erp_ref TEXT;
