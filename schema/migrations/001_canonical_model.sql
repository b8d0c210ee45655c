-- The canonical AR model (DESIGN.md §3). Column names are the catalog's field names
-- (schema/catalog.cpp); a kRef field `customer` is the column `customer_id`. test_migrations
-- checks every catalog field against these tables, so the two cannot drift.
--
-- Conventions:
--   money       INTEGER minor units; the currency is the row's (or its parent's) `currency`
--   decimals    TEXT, canonical ("2.5"), exact: quantities and unit prices
--   dates       TEXT 'YYYY-MM-DD'; timestamps TEXT 'YYYY-MM-DDTHH:MM:SS.sssZ' (UTC)
--   booleans    INTEGER 0/1
-- Every ERP-sourced row has its natural key (source, erp_id), a content hash (row_hash) that
-- makes replayed upserts no-ops, the mirror's monotone change sequence (updated_seq, the
-- change feed's order), a tombstone (deleted) and the reconcile pass's generation mark.
-- Catalog-required fields are NOT NULL; enumerations are CHECKed here as in the catalog.

CREATE TABLE schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL
);

-- ERP-sourced entities ------------------------------------------------------------------------

CREATE TABLE customers (
  id                   INTEGER PRIMARY KEY,
  source               TEXT NOT NULL,
  erp_id               TEXT NOT NULL,
  number               TEXT,
  name                 TEXT NOT NULL,
  status               TEXT CHECK (status IN ('active', 'on_hold', 'inactive')),
  currency             TEXT,
  credit_limit         INTEGER,
  payment_terms        TEXT,
  tax_id               TEXT,
  billing_email        TEXT,
  phone                TEXT,
  billing_line1        TEXT,
  billing_line2        TEXT,
  billing_city         TEXT,
  billing_region       TEXT,
  billing_postal_code  TEXT,
  billing_country      TEXT,
  shipping_line1       TEXT,
  shipping_line2       TEXT,
  shipping_city        TEXT,
  shipping_region      TEXT,
  shipping_postal_code TEXT,
  shipping_country     TEXT,
  erp_updated_at       TEXT,
  row_hash             INTEGER NOT NULL,
  updated_seq          INTEGER NOT NULL,
  deleted              INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  sync_generation      INTEGER,
  UNIQUE (source, erp_id)
);
CREATE INDEX customers_updated_seq ON customers (updated_seq);

CREATE TABLE contacts (
  id          INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  erp_id      TEXT,
  name        TEXT NOT NULL,
  role        TEXT,
  email       TEXT,
  phone       TEXT,
  is_primary  INTEGER CHECK (is_primary IN (0, 1)),
  UNIQUE (customer_id, position)
);

CREATE TABLE invoices (
  id              INTEGER PRIMARY KEY,
  source          TEXT NOT NULL,
  erp_id          TEXT NOT NULL,
  number          TEXT NOT NULL,
  customer_id     INTEGER NOT NULL REFERENCES customers (id),
  issue_date      TEXT NOT NULL,
  due_date        TEXT,
  currency        TEXT NOT NULL,
  subtotal        INTEGER,
  tax             INTEGER,
  total           INTEGER NOT NULL,
  balance         INTEGER NOT NULL,
  status          TEXT NOT NULL
                  CHECK (status IN ('open', 'partially_paid', 'paid', 'void', 'disputed')),
  po_number       TEXT,
  terms           TEXT,
  erp_updated_at  TEXT,
  row_hash        INTEGER NOT NULL,
  updated_seq     INTEGER NOT NULL,
  deleted         INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  sync_generation INTEGER,
  UNIQUE (source, erp_id)
);
CREATE INDEX invoices_updated_seq ON invoices (updated_seq);
-- The portal's main question: a customer's open invoices by due date (and aging).
CREATE INDEX invoices_customer_status_due ON invoices (customer_id, status, due_date);

-- WITHOUT ROWID: a line is always read through its invoice, and the (invoice_id, line_no) key
-- is then the only b-tree to maintain: one insert per line instead of two, which is most of an
-- initial sync's write volume (3+ lines per invoice).
CREATE TABLE invoice_lines (
  invoice_id  INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
  line_no     INTEGER NOT NULL,
  position    INTEGER NOT NULL,
  item        TEXT,
  description TEXT,
  quantity    TEXT,
  unit_price  TEXT,
  amount      INTEGER NOT NULL,
  tax         INTEGER,
  PRIMARY KEY (invoice_id, line_no)
) WITHOUT ROWID;

CREATE TABLE credit_memos (
  id              INTEGER PRIMARY KEY,
  source          TEXT NOT NULL,
  erp_id          TEXT NOT NULL,
  number          TEXT NOT NULL,
  customer_id     INTEGER NOT NULL REFERENCES customers (id),
  issue_date      TEXT NOT NULL,
  currency        TEXT NOT NULL,
  total           INTEGER NOT NULL,
  remaining       INTEGER NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('open', 'applied', 'void')),
  reason          TEXT,
  erp_updated_at  TEXT,
  row_hash        INTEGER NOT NULL,
  updated_seq     INTEGER NOT NULL,
  deleted         INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  sync_generation INTEGER,
  UNIQUE (source, erp_id)
);
CREATE INDEX credit_memos_updated_seq ON credit_memos (updated_seq);
CREATE INDEX credit_memos_customer ON credit_memos (customer_id, status);

CREATE TABLE payments (
  id              INTEGER PRIMARY KEY,
  source          TEXT NOT NULL,
  erp_id          TEXT NOT NULL,
  number          TEXT,
  customer_id     INTEGER NOT NULL REFERENCES customers (id),
  payment_date    TEXT NOT NULL,
  method          TEXT,
  reference       TEXT,
  currency        TEXT NOT NULL,
  amount          INTEGER NOT NULL,
  unapplied       INTEGER NOT NULL,
  status          TEXT CHECK (status IN ('posted', 'pending', 'void')),
  origin          TEXT CHECK (origin IN ('erp', 'portal')),
  erp_updated_at  TEXT,
  -- The portal payment this ERP payment echoes (DESIGN §1: linked, not held twice).
  portal_ref      TEXT,
  row_hash        INTEGER NOT NULL,
  updated_seq     INTEGER NOT NULL,
  deleted         INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  sync_generation INTEGER,
  UNIQUE (source, erp_id)
);
CREATE INDEX payments_updated_seq ON payments (updated_seq);
CREATE INDEX payments_customer ON payments (customer_id, payment_date);
CREATE UNIQUE INDEX payments_portal_ref ON payments (portal_ref) WHERE portal_ref IS NOT NULL;

-- One allocation shape for payment applications and credit memo applications: exactly one
-- funding parent, always one invoice. The currency is the parent's, copied so the table can
-- be summed on its own (an invoice's applied amounts).
CREATE TABLE applications (
  id             INTEGER PRIMARY KEY,
  payment_id     INTEGER REFERENCES payments (id) ON DELETE CASCADE,
  credit_memo_id INTEGER REFERENCES credit_memos (id) ON DELETE CASCADE,
  position       INTEGER NOT NULL,
  invoice_id     INTEGER NOT NULL REFERENCES invoices (id),
  amount         INTEGER NOT NULL,
  currency       TEXT NOT NULL,
  applied_date   TEXT,
  CHECK ((payment_id IS NULL) <> (credit_memo_id IS NULL))
);
CREATE INDEX applications_invoice ON applications (invoice_id);
CREATE INDEX applications_payment ON applications (payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX applications_credit_memo ON applications (credit_memo_id) WHERE credit_memo_id IS NOT NULL;

-- Portal-side entities (created by customers; flow to the ERP through the outbox) -----------

CREATE TABLE disputes (
  id              INTEGER PRIMARY KEY,
  portal_id       TEXT NOT NULL UNIQUE,
  erp_ref         TEXT,  -- the ERP's id once it has echoed the dispute back
  invoice_id      INTEGER NOT NULL REFERENCES invoices (id),
  reason_code     TEXT NOT NULL,
  disputed_amount INTEGER,
  currency        TEXT,
  status          TEXT NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'under_review', 'resolved', 'rejected')),
  resolution      TEXT,
  text            TEXT,
  created_by      TEXT,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  updated_seq     INTEGER NOT NULL,
  CHECK ((disputed_amount IS NULL) = (currency IS NULL))
);
CREATE INDEX disputes_invoice ON disputes (invoice_id);
CREATE INDEX disputes_updated_seq ON disputes (updated_seq);

CREATE TABLE promises_to_pay (
  id            INTEGER PRIMARY KEY,
  portal_id     TEXT NOT NULL UNIQUE,
  erp_ref       TEXT,
  customer_id   INTEGER NOT NULL REFERENCES customers (id),
  promised_date TEXT NOT NULL,
  amount        INTEGER NOT NULL,
  currency      TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'broken')),
  note          TEXT,
  created_by    TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  updated_seq   INTEGER NOT NULL
);
CREATE INDEX promises_to_pay_customer ON promises_to_pay (customer_id, status);
CREATE INDEX promises_to_pay_updated_seq ON promises_to_pay (updated_seq);

-- A promise may cover several invoices, optionally with an amount per invoice.
CREATE TABLE promise_invoices (
  promise_id INTEGER NOT NULL REFERENCES promises_to_pay (id) ON DELETE CASCADE,
  invoice_id INTEGER NOT NULL REFERENCES invoices (id),
  amount     INTEGER,
  PRIMARY KEY (promise_id, invoice_id)
) WITHOUT ROWID;
CREATE INDEX promise_invoices_invoice ON promise_invoices (invoice_id);

CREATE TABLE messages (
  id          INTEGER PRIMARY KEY,
  portal_id   TEXT UNIQUE,
  customer_id INTEGER NOT NULL REFERENCES customers (id),
  invoice_id  INTEGER REFERENCES invoices (id),
  author      TEXT NOT NULL,
  direction   TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  body        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  read_at     TEXT,
  updated_seq INTEGER NOT NULL
);
CREATE INDEX messages_customer ON messages (customer_id, created_at);
CREATE INDEX messages_invoice ON messages (invoice_id) WHERE invoice_id IS NOT NULL;
CREATE INDEX messages_updated_seq ON messages (updated_seq);

-- Document copies: the content is either inline (small PDFs) or a file under the state dir,
-- never both. sha256 lets the portal serve ETags and detect a corrupted file.
CREATE TABLE documents (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('invoice', 'statement', 'credit_memo')),
  owner_type  TEXT NOT NULL CHECK (owner_type IN ('customer', 'invoice', 'credit_memo', 'payment')),
  owner_id    INTEGER NOT NULL,
  file_name   TEXT NOT NULL,
  media_type  TEXT NOT NULL,
  byte_size   INTEGER NOT NULL CHECK (byte_size >= 0),
  sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
  content     BLOB,
  path        TEXT,
  created_at  TEXT NOT NULL,
  updated_seq INTEGER NOT NULL,
  CHECK ((content IS NULL) <> (path IS NULL))
);
CREATE INDEX documents_owner ON documents (owner_type, owner_id);
CREATE INDEX documents_updated_seq ON documents (updated_seq);
