-- Who holds a session (dev.baton.session.SessionLease): one row per session ever leased. token
-- grows by one each time the session changes hands, and a fenced write is taken only with the
-- current token (checked under a share lock on this row), so a writer that lost the session
-- writes nothing. expires_at is '-infinity' once the holder released it. Kept when the session
-- is cleared.
CREATE TABLE session_leases (
    session_id text        NOT NULL PRIMARY KEY,
    owner      text        NOT NULL,
    token      bigint      NOT NULL,
    expires_at timestamptz NOT NULL
);
