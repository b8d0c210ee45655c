-- Sync state (DESIGN.md §4): cursors, webhook inbox, push outbox, rejects, runs, and the
-- mirror's change sequence.

-- The committed position of each (connector, stream), written in the same transaction as the
-- page it follows, at the ERP's own precision.
CREATE TABLE sync_cursors (
  source     TEXT NOT NULL,
  stream     TEXT NOT NULL,
  cursor     TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (source, stream)
) WITHOUT ROWID;

-- Raw webhook deliveries, committed before the HTTP answer; duplicates collapse on event_id.
CREATE TABLE inbox (
  id           INTEGER PRIMARY KEY,
  source       TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  headers      TEXT,  -- JSON object of the headers kept (never secrets)
  body         BLOB NOT NULL,
  status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  error        TEXT,
  processed_at TEXT,
  UNIQUE (source, event_id)
);
CREATE INDEX inbox_pending ON inbox (status, id);

-- Portal writes waiting to reach the ERP. `unknown`: sent, no answer; resolved by looking the
-- idempotency key up in the ERP before any re-send (exactly once).
CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  idempotency_key  TEXT NOT NULL UNIQUE,
  kind             TEXT NOT NULL,
  target_connector TEXT NOT NULL,
  payload          TEXT NOT NULL,  -- canonical JSON
  status           TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'in_flight', 'done', 'failed', 'unknown', 'cancelled')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT,
  last_error       TEXT,
  erp_ref          TEXT,
  conflict         TEXT,  -- how a conflicting ERP change was resolved, if one was found
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE sync_runs (
  id          INTEGER PRIMARY KEY,
  source      TEXT NOT NULL,
  stream      TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  outcome     TEXT NOT NULL DEFAULT 'running'
              CHECK (outcome IN ('running', 'succeeded', 'failed', 'interrupted')),
  pages       INTEGER NOT NULL DEFAULT 0,
  inserted    INTEGER NOT NULL DEFAULT 0,
  updated     INTEGER NOT NULL DEFAULT 0,
  unchanged   INTEGER NOT NULL DEFAULT 0,
  rejected    INTEGER NOT NULL DEFAULT 0,
  error       TEXT
);
CREATE INDEX sync_runs_stream ON sync_runs (source, stream, id);
CREATE INDEX sync_runs_running ON sync_runs (outcome) WHERE outcome = 'running';

-- Records refused by mapping, validation or the store, kept for `arsync rejects list|replay`.
CREATE TABLE rejects (
  id          INTEGER PRIMARY KEY,
  source      TEXT NOT NULL,
  stream      TEXT NOT NULL,
  run_id      INTEGER REFERENCES sync_runs (id),
  record_key  TEXT NOT NULL,
  raw         TEXT NOT NULL,
  error       TEXT NOT NULL,
  location    TEXT,  -- mapping file:line:col, when a mapping rule failed
  created_at  TEXT NOT NULL,
  resolved_at TEXT
);
CREATE INDEX rejects_stream ON rejects (source, stream, resolved_at);

-- One row: the last updated_seq handed out. Written in the same transaction as the rows that
-- took the numbers, so the sequence never goes back after a crash or restart.
CREATE TABLE mirror_state (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  last_seq INTEGER NOT NULL
);
INSERT INTO mirror_state (id, last_seq) VALUES (1, 0);
