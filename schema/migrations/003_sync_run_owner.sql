-- The process that runs a sync. At open, a `running` run is marked `interrupted` only if its
-- process is gone: a CLI command opening the mirror read-write (`arsync resync`) beside a live
-- daemon must not mark the daemon's runs interrupted. NULL for runs recorded before this.
ALTER TABLE sync_runs ADD COLUMN pid INTEGER;
