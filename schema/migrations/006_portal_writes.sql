-- What customers do on the portal (DESIGN §1, §4 Push): each accepted write is committed with
-- its outbox item in ONE transaction, and the portal's answer to it is kept under its
-- Idempotency-Key so a retried POST gets the same answer and creates nothing twice.

-- A payment made on the portal. It is the portal's record of what the customer paid; the ERP's
-- own payment arrives later by pull or webhook and is linked to it (payments.source/erp_id =
-- target/erp_ref, or payments.portal_ref = portal_id), never held as a second payment.
-- status: pending (not yet in the ERP) -> submitted (the ERP has it, erp_ref set) | failed
-- (the ERP refused it) | cancelled (an operator cancelled its outbox item).
CREATE TABLE portal_payments (
  id            INTEGER PRIMARY KEY,
  portal_id     TEXT NOT NULL UNIQUE,
  customer_id   INTEGER NOT NULL REFERENCES customers (id),
  target        TEXT NOT NULL,  -- the connector it is pushed to (the customer's source)
  method        TEXT NOT NULL CHECK (method IN ('card', 'ach', 'eft', 'paypal', 'check')),
  reference     TEXT,           -- the payment processor's reference
  payment_date  TEXT NOT NULL,
  currency      TEXT NOT NULL,
  amount        INTEGER NOT NULL CHECK (amount > 0),
  status        TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'submitted', 'failed', 'cancelled')),
  erp_ref       TEXT,
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  updated_seq   INTEGER NOT NULL
);
CREATE INDEX portal_payments_customer ON portal_payments (customer_id, status);
CREATE INDEX portal_payments_updated_seq ON portal_payments (updated_seq);
CREATE INDEX portal_payments_erp_ref ON portal_payments (target, erp_ref) WHERE erp_ref IS NOT NULL;

CREATE TABLE portal_payment_applications (
  portal_payment_id INTEGER NOT NULL REFERENCES portal_payments (id) ON DELETE CASCADE,
  invoice_id        INTEGER NOT NULL REFERENCES invoices (id),
  amount            INTEGER NOT NULL CHECK (amount > 0),
  PRIMARY KEY (portal_payment_id, invoice_id)
) WITHOUT ROWID;
CREATE INDEX portal_payment_applications_invoice ON portal_payment_applications (invoice_id);

-- A portal payment is still "pending" for the invoices it pays until the ERP's own payment is
-- in the mirror: until then the portal shows the invoice's balance less these amounts.
CREATE VIEW portal_payment_state AS
SELECT
  pp.id AS portal_payment_id,
  pp.status AS status,
  (SELECT p.id FROM payments p
    WHERE p.deleted = 0
      AND ((p.source = pp.target AND p.erp_id = pp.erp_ref) OR p.portal_ref = pp.portal_id)
    LIMIT 1) AS payment_id
FROM portal_payments pp;

CREATE VIEW invoice_pending_payments AS
SELECT a.invoice_id AS invoice_id, sum(a.amount) AS pending
FROM portal_payment_applications a
JOIN portal_payment_state s ON s.portal_payment_id = a.portal_payment_id
WHERE s.status IN ('pending', 'submitted') AND s.payment_id IS NULL
GROUP BY a.invoice_id;

-- A customer's request for a credit (on an invoice or on the account).
CREATE TABLE credit_requests (
  id           INTEGER PRIMARY KEY,
  portal_id    TEXT NOT NULL UNIQUE,
  customer_id  INTEGER NOT NULL REFERENCES customers (id),
  invoice_id   INTEGER REFERENCES invoices (id),
  currency     TEXT NOT NULL,
  amount       INTEGER NOT NULL CHECK (amount > 0),
  reason_code  TEXT NOT NULL,
  text         TEXT,
  status       TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'submitted', 'failed', 'cancelled')),
  erp_ref      TEXT,
  created_by   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  updated_seq  INTEGER NOT NULL
);
CREATE INDEX credit_requests_customer ON credit_requests (customer_id);
CREATE INDEX credit_requests_updated_seq ON credit_requests (updated_seq);

-- A customer's change to their own profile. `changes` is a JSON object
-- {field: {"from": value the portal showed, "to": new value}}: the "from" values are what the
-- change was based on, compared with the ERP's current values before it is pushed (conflict
-- policy erp_wins | portal_wins | reject), the outcome kept in `conflict`.
CREATE TABLE profile_changes (
  id           INTEGER PRIMARY KEY,
  portal_id    TEXT NOT NULL UNIQUE,
  customer_id  INTEGER NOT NULL REFERENCES customers (id),
  changes      TEXT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'submitted', 'failed', 'cancelled', 'rejected')),
  conflict     TEXT,
  erp_ref      TEXT,
  created_by   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  updated_seq  INTEGER NOT NULL
);
CREATE INDEX profile_changes_customer ON profile_changes (customer_id);
CREATE INDEX profile_changes_updated_seq ON profile_changes (updated_seq);

-- Which portal object an outbox item carries, and when it was last handed to the ERP (an item
-- found `in_flight` at start-up was sent by a process that died: its fate is unknown).
ALTER TABLE outbox ADD COLUMN object_table TEXT;
ALTER TABLE outbox ADD COLUMN object_id INTEGER;
ALTER TABLE outbox ADD COLUMN sent_at TEXT;
CREATE INDEX outbox_object ON outbox (object_table, object_id);

-- The portal API's answers to POSTs, by (principal, Idempotency-Key). A retried request with
-- the same key and the same body gets the stored answer; the same key with another body is a
-- 422. Written in the transaction that made the write.
CREATE TABLE api_requests (
  principal       TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  request_hash    TEXT NOT NULL,  -- sha256 of method, path and body
  status          INTEGER NOT NULL,
  response        TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  PRIMARY KEY (principal, idempotency_key)
) WITHOUT ROWID;
