-- Approvals belong to the turn that made the call: call ids are unique within a model response,
-- not always within a run, so a call id reused in a later turn needs an approval of its own.
-- SQLite cannot change a UNIQUE constraint in place: the table is rebuilt with the key
-- (run_id, turn, call_id), keeping every row and its seq (the order requested); approvals
-- stored before this migration belong to turn 0.
CREATE TABLE run_approvals_v5 (
    seq          INTEGER NOT NULL PRIMARY KEY,
    run_id       TEXT    NOT NULL,
    turn         INTEGER NOT NULL DEFAULT 0, -- the run's turn that made the call
    call_id      TEXT    NOT NULL,
    agent        TEXT    NOT NULL,
    tool         TEXT    NOT NULL,
    arguments    TEXT    NOT NULL,
    status       TEXT    NOT NULL, -- PENDING, APPROVED, REJECTED
    message      TEXT,
    requested_at INTEGER NOT NULL,
    decided_at   INTEGER,
    UNIQUE (run_id, turn, call_id)
);

INSERT INTO run_approvals_v5 (seq, run_id, turn, call_id, agent, tool, arguments, status, message, requested_at, decided_at)
SELECT seq, run_id, 0, call_id, agent, tool, arguments, status, message, requested_at, decided_at FROM run_approvals;

DROP TABLE run_approvals;
ALTER TABLE run_approvals_v5 RENAME TO run_approvals;

-- Dropped with the old table.
CREATE INDEX run_approvals_pending ON run_approvals (requested_at, seq) WHERE status = 'PENDING';
