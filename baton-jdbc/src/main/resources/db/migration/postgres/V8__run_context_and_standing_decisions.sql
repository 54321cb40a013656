-- The context a run was started with, as JSON text (the server's "context" when starting a run);
-- null for runs started without one and for runs recorded before runs kept theirs.
ALTER TABLE runs ADD COLUMN context TEXT;
-- 1 when an approval's decision stands for every later call of the same tool in the run.
ALTER TABLE run_approvals ADD COLUMN always_decided INTEGER NOT NULL DEFAULT 0;
-- Who decided an approval, when the decision said (a reviewer's name or account).
ALTER TABLE run_approvals ADD COLUMN decided_by TEXT;
