-- Usage per turn of a session: one row per run on the session, replaced when the run is recorded again.
CREATE TABLE session_usage (
    seq         INTEGER NOT NULL PRIMARY KEY,
    session_id  TEXT    NOT NULL,
    run_id      TEXT    NOT NULL,
    usage       TEXT    NOT NULL, -- JSON usage object
    recorded_at INTEGER NOT NULL, -- epoch milliseconds
    UNIQUE (session_id, run_id)
);
