-- Aging is derived, never stored (DESIGN §3): open amounts of live invoices by how far past
-- due they are today (UTC). Buckets are the usual AR ones; the portal sums them per customer.
CREATE VIEW invoice_aging AS
SELECT
  i.id          AS invoice_id,
  i.source      AS source,
  i.customer_id AS customer_id,
  i.currency    AS currency,
  i.balance     AS balance,
  i.due_date    AS due_date,
  CAST(max(0, julianday(date('now')) - julianday(coalesce(i.due_date, i.issue_date))) AS INTEGER) AS days_past_due,
  CASE
    WHEN julianday(date('now')) <= julianday(coalesce(i.due_date, i.issue_date)) THEN 'current'
    WHEN julianday(date('now')) - julianday(coalesce(i.due_date, i.issue_date)) <= 30 THEN '1-30'
    WHEN julianday(date('now')) - julianday(coalesce(i.due_date, i.issue_date)) <= 60 THEN '31-60'
    WHEN julianday(date('now')) - julianday(coalesce(i.due_date, i.issue_date)) <= 90 THEN '61-90'
    ELSE '90+'
  END AS bucket
FROM invoices i
WHERE i.deleted = 0 AND i.balance <> 0 AND i.status NOT IN ('paid', 'void');
