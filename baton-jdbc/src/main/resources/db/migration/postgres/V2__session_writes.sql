-- The keys of the writes made with SessionStore.addItemsOnce: a key stored here for a session
-- means that write happened, so a resumed durable run does not add its turn twice. Inserted in
-- the transaction that adds the items; clear deletes a session's keys with its items.
CREATE TABLE session_writes (
    session_id text        NOT NULL,
    write_key  text        NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, write_key)
);
