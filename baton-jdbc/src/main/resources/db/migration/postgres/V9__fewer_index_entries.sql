-- Fewer index entries per run, effect and usage row: on a busy desk, PostgreSQL's time goes mostly
-- to index entries (decision 63).
-- A run's effects are read through the primary key (run_id, effect_key) and sorted by seq: a run
-- has few. The second index cost every effect an entry (SQLite never had it).
DROP INDEX run_effects_in_order;
-- Running runs are few: renewing a worker's leases finds them through runs_running and checks the
-- owner of each. runs_by_owner cost every run an entry when it started.
DROP INDEX runs_by_owner;
-- runs_running no longer carries the lease columns: with no index on owner or lease_until, a lease
-- claimed or renewed changes no indexed column, so PostgreSQL can update the row in place (HOT)
-- instead of adding an entry to every index of runs.
DROP INDEX runs_running;
CREATE INDEX runs_running ON runs (created_at, seq) WHERE status = 'RUNNING';
-- A session's usage rows are found by (session_id, run_id), which becomes the primary key; seq
-- only orders a session's rows, and its own index cost every row an entry.
ALTER TABLE session_usage DROP CONSTRAINT session_usage_pkey;
ALTER TABLE session_usage DROP CONSTRAINT session_usage_session_id_run_id_key;
ALTER TABLE session_usage ADD PRIMARY KEY (session_id, run_id);
