-- The keys of the writes a session took with SessionStore.addItemsOnce: a write whose key is
-- already here adds nothing. Cleared with the session.
CREATE TABLE session_writes (
    session_id TEXT    NOT NULL,
    write_key  TEXT    NOT NULL,
    created_at INTEGER NOT NULL, -- epoch milliseconds
    PRIMARY KEY (session_id, write_key)
) WITHOUT ROWID;
