-- The application (desk) each run belongs to: the workers that registered agents under this name
-- execute it, and "the runs of the support desk" is a query on it. Runs recorded before runs named
-- their application belong to 'default'.
ALTER TABLE runs ADD COLUMN application TEXT NOT NULL DEFAULT 'default';
CREATE INDEX runs_application_created ON runs (application, created_at);
