-- Durable runs (dev.baton.durable.RunStore): the runs, the journal of their effects, their
-- events and their approvals. Instants are epoch milliseconds; JSON columns hold the text
-- dev.baton.durable.JournalCodec writes; enum columns hold constant names.
CREATE TABLE runs (
    id            TEXT    NOT NULL PRIMARY KEY,
    start_agent   TEXT    NOT NULL,
    current_agent TEXT    NOT NULL,
    session_id    TEXT,
    input         TEXT    NOT NULL, -- JSON list of items
    status        TEXT    NOT NULL, -- RUNNING, PAUSED, COMPLETED, FAILED, CANCELLED
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    final_output  TEXT,
    error         TEXT,
    usage         TEXT    NOT NULL, -- JSON usage object
    graph         TEXT    NOT NULL, -- JSON object: agent name to fingerprint
    paused_state  TEXT,
    owner         TEXT,
    lease_until   INTEGER
);

-- Listing newest first (ties: latest inserted first; every index ends with the rowid), filtered
-- by status, agent (start or current) or session.
CREATE INDEX runs_by_created ON runs (created_at);
CREATE INDEX runs_by_status ON runs (status, created_at);
CREATE INDEX runs_by_start_agent ON runs (start_agent, created_at);
CREATE INDEX runs_by_current_agent ON runs (current_agent, created_at);
CREATE INDEX runs_by_session ON runs (session_id, created_at) WHERE session_id IS NOT NULL;
-- Claimable runs (running, with no owner or an expired lease), oldest first; lease renewal by owner.
CREATE INDEX runs_running ON runs (created_at) WHERE status = 'RUNNING';
CREATE INDEX runs_by_owner ON runs (owner) WHERE owner IS NOT NULL;

-- The journal: one row per effect key of a run. seq is the order in which keys were first
-- recorded: replacing an effect (its start by its result) keeps its row, so keeps its seq.
-- A run's effects are found through the (run_id, effect_key) index and sorted by seq; no second
-- index, since every durable step writes here.
CREATE TABLE run_effects (
    seq         INTEGER NOT NULL PRIMARY KEY,
    run_id      TEXT    NOT NULL,
    effect_key  TEXT    NOT NULL,
    kind        TEXT    NOT NULL, -- START, MODEL, TOOL
    status      TEXT    NOT NULL, -- STARTED, DONE
    agent       TEXT    NOT NULL,
    name        TEXT,
    request     TEXT,
    result      TEXT,
    attempts    INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    usage       TEXT,             -- JSON usage object, for model calls
    UNIQUE (run_id, effect_key)
);

-- The events of a run, gapless from seq 0.
CREATE TABLE run_events (
    run_id TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    type   TEXT    NOT NULL,
    agent  TEXT    NOT NULL,
    at     INTEGER NOT NULL,
    data   TEXT    NOT NULL, -- JSON object
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

-- Tool calls waiting for (or given) a human decision; seq is the order they were requested in.
CREATE TABLE run_approvals (
    seq          INTEGER NOT NULL PRIMARY KEY,
    run_id       TEXT    NOT NULL,
    call_id      TEXT    NOT NULL,
    agent        TEXT    NOT NULL,
    tool         TEXT    NOT NULL,
    arguments    TEXT    NOT NULL,
    status       TEXT    NOT NULL, -- PENDING, APPROVED, REJECTED
    message      TEXT,
    requested_at INTEGER NOT NULL,
    decided_at   INTEGER,
    UNIQUE (run_id, call_id)
);
CREATE INDEX run_approvals_pending ON run_approvals (requested_at, seq) WHERE status = 'PENDING';
