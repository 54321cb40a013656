-- Who holds a session (dev.baton.session.SessionLease): one row per session ever leased. token
-- grows by one each time the session changes hands, and a fenced write is taken only with the
-- current token, so a writer that lost the session writes nothing. expires_at is epoch
-- milliseconds; 0 once the holder released it. Kept when the session is cleared.
CREATE TABLE session_leases (
    session_id TEXT    NOT NULL PRIMARY KEY,
    owner      TEXT    NOT NULL,
    token      INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
