package dev.baton.run;

import dev.baton.BatonException;
import dev.baton.SessionStoreFailed;
import dev.baton.item.Item;
import dev.baton.item.RunItem;
import dev.baton.session.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a run reads from and writes to its session, each failure turned into a
 * {@link SessionStoreFailed} naming the session. A journaled run writes each batch under a key
 * of its own, so a replay after a crash does not add the same items twice. Items, the active
 * agent and the run's usage are written fenced by the run's lease on the session, so a run that
 * lost the session writes nothing more into it.
 */
final class SessionWrites {
    private final Session session;
    private final boolean keyed;
    private final SessionLocks.Held held;

    SessionWrites(Session session, boolean keyed, SessionLocks.Held held) {
        this.session = session;
        this.keyed = keyed;
        this.held = held;
    }

    String id() {
        return session.id();
    }

    Optional<String> activeAgent() {
        return call("read the active agent of", session::activeAgent);
    }

    List<Item> items() {
        return call("read the items of", session::items);
    }

    /** Appends the items; {@code writeKey} identifies the write for a journaled run. */
    void save(List<Item> items, String writeKey) {
        if (items.isEmpty()) {
            return;
        }
        call("save items to", () -> {
            if (keyed) {
                session.store().addItemsOnce(held.lease(), writeKey, items);
            } else {
                session.store().addItems(held.lease(), items);
            }
            return null;
        });
    }

    void saveRunItems(List<RunItem> runItems, String writeKey) {
        List<Item> out = new ArrayList<>(runItems.size());
        for (RunItem i : runItems) {
            out.add(i.toItem());
        }
        save(out, writeKey);
    }

    void setActiveAgent(String agentName) {
        call("record the active agent of", () -> {
            session.store().setActiveAgent(held.lease(), agentName);
            return null;
        });
    }

    /** Records what the run has spent so far on the session (again when a paused run finishes). */
    void recordUsage(String runId, dev.baton.model.Usage usage, java.time.Instant at) {
        call("record the usage of run " + runId + " on", () -> {
            session.store().recordUsage(held.lease(), runId, usage, at);
            return null;
        });
    }

    private <T> T call(String what, Supplier<T> operation) {
        try {
            return operation.get();
        } catch (BatonException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SessionStoreFailed("The session store failed to " + what + " session '" + session.id() + "': "
                    + Callbacks.message(e), e);
        }
    }
}
