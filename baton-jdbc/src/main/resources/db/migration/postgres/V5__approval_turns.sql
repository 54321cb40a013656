-- Approvals belong to the turn that made the call: call ids are unique within a model response,
-- not always within a run, so a call id reused in a later turn needs an approval of its own.
-- The key becomes (run_id, turn, call_id); approvals stored before this migration belong to turn 0.
ALTER TABLE run_approvals ADD COLUMN turn integer NOT NULL DEFAULT 0; -- the run's turn that made the call
ALTER TABLE run_approvals DROP CONSTRAINT run_approvals_pkey;
ALTER TABLE run_approvals ADD CONSTRAINT run_approvals_pkey PRIMARY KEY (run_id, turn, call_id);
