package dev.baton.session;

import dev.baton.item.Item;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One conversation in a {@link SessionStore}: a handle with the store's operations bound to an id.
 * Pass it (or just its id, for the runner's own store) to a run so the run starts from the
 * history and with the agent that held the conversation.
 */
public record Session(String id, SessionStore store) {

    public Session {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(store, "store");
        if (id.isBlank()) {
            throw new IllegalArgumentException("session id must not be blank");
        }
    }

    /** A session in a fresh in-memory store. */
    public static Session inMemory(String id) {
        return new Session(id, new InMemorySessionStore());
    }

    public List<Item> items() {
        return store.items(id, 0);
    }

    public List<Item> items(int limit) {
        return store.items(id, limit);
    }

    public void add(Item... items) {
        store.addItems(id, List.of(items));
    }

    public void add(List<Item> items) {
        store.addItems(id, items);
    }

    public Optional<Item> popLast() {
        return store.popItem(id);
    }

    public void clear() {
        store.clear(id);
    }

    public Optional<String> activeAgent() {
        return store.activeAgent(id);
    }

    /** What each run on this session spent, oldest first: usage per turn of the conversation. */
    public List<TurnUsage> usage() {
        return store.usage(id);
    }
}
