-- Documents pulled from the ERP (issue 7: invoice copies, e.g. PDFs). A pulled copy is an ERP
-- record like an invoice: (source, erp_id) is its natural key, and the mirror store upserts it
-- through the catalog's `document` entity (row_hash, updated_seq, deleted, sync_generation), so
-- an unchanged copy is not rewritten and a changed one gets a new updated_seq (and ETag).
-- SQLite cannot relax NOT NULL in place, so the table is rebuilt: owner_type/owner_id become
-- optional and are filled from invoice_id by the triggers below (the portal lists documents by
-- owner); created_at defaults to the insert time. Existing rows keep their ids and owners.
CREATE TABLE documents_013 (
  id              INTEGER PRIMARY KEY,
  source          TEXT NOT NULL,
  erp_id          TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('invoice', 'statement', 'credit_memo')),
  invoice_id      INTEGER REFERENCES invoices (id),
  owner_type      TEXT CHECK (owner_type IN ('customer', 'invoice', 'credit_memo', 'payment')),
  owner_id        INTEGER,
  file_name       TEXT NOT NULL,
  media_type      TEXT NOT NULL,
  byte_size       INTEGER NOT NULL CHECK (byte_size >= 0),
  sha256          TEXT NOT NULL CHECK (length(sha256) = 64),
  content         BLOB,
  path            TEXT,
  erp_updated_at  TEXT,
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  row_hash        INTEGER NOT NULL DEFAULT 0,
  updated_seq     INTEGER NOT NULL,
  deleted         INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  sync_generation INTEGER,
  CHECK ((content IS NULL) <> (path IS NULL)),
  CHECK ((owner_type IS NULL) = (owner_id IS NULL)),
  UNIQUE (source, erp_id)
);
INSERT INTO documents_013 (id, source, erp_id, kind, owner_type, owner_id, file_name, media_type, byte_size,
                           sha256, content, path, created_at, updated_seq)
  SELECT id, 'arsync', 'document-' || id, kind, owner_type, owner_id, file_name, media_type, byte_size, sha256,
         content, path, created_at, updated_seq FROM documents;
DROP TABLE documents;
ALTER TABLE documents_013 RENAME TO documents;
CREATE INDEX documents_owner ON documents (owner_type, owner_id);
CREATE INDEX documents_updated_seq ON documents (updated_seq);

-- A copy of an invoice belongs to that invoice (the store writes invoice_id, the portal reads the owner).
CREATE TRIGGER documents_invoice_owner_insert AFTER INSERT ON documents
  WHEN NEW.invoice_id IS NOT NULL AND NEW.owner_id IS NULL
BEGIN
  UPDATE documents SET owner_type = 'invoice', owner_id = NEW.invoice_id WHERE id = NEW.id;
END;
CREATE TRIGGER documents_invoice_owner_update AFTER UPDATE OF invoice_id ON documents
  WHEN NEW.invoice_id IS NOT NULL
BEGIN
  UPDATE documents SET owner_type = 'invoice', owner_id = NEW.invoice_id WHERE id = NEW.id;
END;
