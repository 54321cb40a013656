-- Sessions: one row per session that has items, an active agent or a keyed write.
-- next_position counts the positions handed out to the session's items: adding n items moves it
-- by n in the same statement that locks the row, so concurrent writers get disjoint, ordered ranges.
CREATE TABLE sessions (
    session_id    text        NOT NULL PRIMARY KEY,
    active_agent  text,
    next_position bigint      NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- The items of a session, in order: position 1 is the oldest (a popped item leaves a gap).
-- Each item is the JSON text of a dev.baton.item.Item, with its "type" discriminator; text rather
-- than jsonb, so that it reads back exactly as written.
CREATE TABLE session_items (
    session_id text        NOT NULL,
    position   bigint      NOT NULL,
    item       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, position)
);
