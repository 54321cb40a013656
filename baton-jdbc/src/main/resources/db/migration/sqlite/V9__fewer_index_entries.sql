-- Fewer index entries per run (decision 63): running runs are few, so renewing a worker's leases
-- finds them through runs_running and checks the owner of each. runs_by_owner cost every run an
-- entry when it started.
DROP INDEX runs_by_owner;
