-- Sessions: one row per session that has items or an active agent.
-- Later migrations add runs, the run journal and approvals (V2 and up); nothing here anticipates them.
CREATE TABLE sessions (
    session_id   TEXT    NOT NULL PRIMARY KEY,
    active_agent TEXT,
    created_at   INTEGER NOT NULL, -- epoch milliseconds
    updated_at   INTEGER NOT NULL  -- epoch milliseconds
);

-- The items of a session, in order: position 1 is the oldest. Each item is the JSON of a
-- dev.baton.item.Item, with its "type" discriminator.
CREATE TABLE session_items (
    session_id TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    item       TEXT    NOT NULL,
    created_at INTEGER NOT NULL, -- epoch milliseconds
    PRIMARY KEY (session_id, position)
) WITHOUT ROWID;
