-- Reconcile runs (DESIGN.md §4 "Deletes"). A reconcile is a full key scan of one stream that
-- marks every row it sees with the run's generation (the row's sync_generation) and, only when
-- the scan completed, tombstones the rows of that source and entity it did not see. It is
-- recorded in sync_runs beside the delta pulls: `kind` tells them apart (the daemon schedules
-- the next reconcile from the last successful one) and `tombstoned` counts what it swept.
ALTER TABLE sync_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'pull' CHECK (kind IN ('pull', 'reconcile'));
ALTER TABLE sync_runs ADD COLUMN tombstoned INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sync_runs_kind ON sync_runs (source, stream, kind, outcome, id);
