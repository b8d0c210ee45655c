-- The portal's invoice list (schema/mirror_reader.cpp) pages a customer's invoices in
-- (effective due date, id) order by keyset: this index serves that order and the page key as
-- one range scan (the rowid id is the index's implicit last column), so a page costs the same
-- on page 1 and page 20,000. The effective due date is the due date, else the issue date, as
-- migration 004's aging view reads it; the query must spell the expression identically.
CREATE INDEX invoices_customer_effective_due ON invoices (customer_id, coalesce(due_date, issue_date));
