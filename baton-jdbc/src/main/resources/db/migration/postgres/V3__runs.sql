-- Durable runs, their journal of effects, their events and their approvals.
-- Columns are those of dev.baton.jdbc.RunRows, shared with the SQLite run store: instants are
-- epoch milliseconds (bigint), the structured columns JSON text as dev.baton.durable.JournalCodec
-- writes it, enums their constant names (no CHECK constraints: a value the code cannot read is
-- reported by the store with its table, run and column). No foreign keys: nothing deletes runs,
-- and the journal of a run may be written in any order.
-- seq columns are insertion sequences: they order runs created in the same millisecond, keep an
-- effect in its first-recorded place when it is replaced, and approvals in the order requested.

CREATE TABLE runs (
    id            text   NOT NULL PRIMARY KEY,
    seq           bigint GENERATED ALWAYS AS IDENTITY,
    start_agent   text   NOT NULL,
    current_agent text   NOT NULL,
    session_id    text,
    input         text   NOT NULL, -- JSON list of items
    status        text   NOT NULL, -- RunStatus
    created_at    bigint NOT NULL, -- epoch ms
    updated_at    bigint NOT NULL, -- epoch ms
    final_output  text,
    error         text,
    usage         text   NOT NULL, -- JSON usage
    graph         text   NOT NULL, -- JSON object: agent name to fingerprint
    paused_state  text,            -- RunState JSON of the last pause
    owner         text,            -- the worker holding the lease
    lease_until   bigint           -- epoch ms
);

-- listRuns: newest first, alone or filtered by status, agent (start or current) or session.
CREATE INDEX runs_by_created ON runs (created_at DESC, seq DESC);
CREATE INDEX runs_by_status ON runs (status, created_at DESC, seq DESC);
CREATE INDEX runs_by_start_agent ON runs (start_agent, created_at DESC, seq DESC);
CREATE INDEX runs_by_current_agent ON runs (current_agent, created_at DESC, seq DESC);
CREATE INDEX runs_by_session ON runs (session_id, created_at DESC, seq DESC) WHERE session_id IS NOT NULL;
-- claimable and renewLeases: running runs, oldest first, with their lease.
CREATE INDEX runs_running ON runs (created_at, seq) INCLUDE (owner, lease_until) WHERE status = 'RUNNING';
CREATE INDEX runs_by_owner ON runs (owner) WHERE owner IS NOT NULL;

CREATE TABLE run_effects (
    run_id      text    NOT NULL,
    effect_key  text    NOT NULL,
    seq         bigint  GENERATED ALWAYS AS IDENTITY, -- first-recorded order; kept when the effect is replaced
    kind        text    NOT NULL, -- Effect.Kind
    status      text    NOT NULL, -- Effect.Status
    agent       text    NOT NULL,
    name        text,
    request     text,
    result      text,
    attempts    integer NOT NULL,
    started_at  bigint  NOT NULL, -- epoch ms
    finished_at bigint,           -- epoch ms
    usage       text,             -- JSON usage, for model calls
    PRIMARY KEY (run_id, effect_key)
);
CREATE INDEX run_effects_in_order ON run_effects (run_id, seq);

CREATE TABLE run_events (
    run_id text   NOT NULL,
    seq    bigint NOT NULL, -- the event's position in the run, from 0
    type   text   NOT NULL,
    agent  text   NOT NULL,
    at     bigint NOT NULL, -- epoch ms
    data   text   NOT NULL, -- JSON object
    PRIMARY KEY (run_id, seq)
);

CREATE TABLE run_approvals (
    run_id       text   NOT NULL,
    call_id      text   NOT NULL,
    seq          bigint GENERATED ALWAYS AS IDENTITY, -- the order requested
    agent        text   NOT NULL,
    tool         text   NOT NULL,
    arguments    text   NOT NULL,
    status       text   NOT NULL, -- Approval.Status
    message      text,
    requested_at bigint NOT NULL, -- epoch ms
    decided_at   bigint,          -- epoch ms
    PRIMARY KEY (run_id, call_id)
);
CREATE INDEX run_approvals_in_order ON run_approvals (run_id, seq);
CREATE INDEX run_approvals_pending ON run_approvals (requested_at, seq) WHERE status = 'PENDING';
