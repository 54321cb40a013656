package dev.baton.session;

import dev.baton.item.Item;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Sessions kept in this JVM's memory: for tests, demos and single-process apps. Thread-safe. */
public final class InMemorySessionStore implements SessionStore {

    private static final class State {
        final List<Item> items = new ArrayList<>();
        final java.util.Set<String> writeKeys = new java.util.HashSet<>();
        final java.util.LinkedHashMap<String, TurnUsage> usage = new java.util.LinkedHashMap<>();
        @org.jspecify.annotations.Nullable String activeAgent;
    }

    private final ConcurrentHashMap<String, State> sessions = new ConcurrentHashMap<>();

    private State state(String sessionId) {
        return sessions.computeIfAbsent(sessionId, id -> new State());
    }

    @Override
    public List<Item> items(String sessionId, int limit) {
        State s = sessions.get(sessionId);
        if (s == null) {
            return List.of();
        }
        synchronized (s) {
            int from = limit > 0 ? Math.max(0, s.items.size() - limit) : 0;
            return List.copyOf(s.items.subList(from, s.items.size()));
        }
    }

    @Override
    public void addItems(String sessionId, List<Item> items) {
        List<Item> copy = List.copyOf(items); // rejects null items before anything changes
        if (copy.isEmpty()) {
            return;
        }
        State s = state(sessionId);
        synchronized (s) {
            s.items.addAll(copy);
        }
    }

    @Override
    public boolean addItemsOnce(String sessionId, String writeKey, List<Item> items) {
        java.util.Objects.requireNonNull(writeKey, "writeKey");
        List<Item> copy = List.copyOf(items);
        State s = state(sessionId);
        synchronized (s) {
            if (!s.writeKeys.add(writeKey)) {
                return false;
            }
            s.items.addAll(copy);
            return true;
        }
    }

    @Override
    public void recordUsage(String sessionId, String runId, dev.baton.model.Usage usage, java.time.Instant at) {
        TurnUsage turn = new TurnUsage(runId, usage, at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        State s = state(sessionId);
        synchronized (s) {
            s.usage.put(runId, turn);
        }
    }

    @Override
    public List<TurnUsage> usage(String sessionId) {
        State s = sessions.get(sessionId);
        if (s == null) {
            return List.of();
        }
        synchronized (s) {
            return List.copyOf(s.usage.values());
        }
    }

    @Override
    public Optional<Item> popItem(String sessionId) {
        State s = sessions.get(sessionId);
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s) {
            return s.items.isEmpty() ? Optional.empty() : Optional.of(s.items.remove(s.items.size() - 1));
        }
    }

    @Override
    public void clear(String sessionId) {
        sessions.remove(sessionId);
    }

    @Override
    public Optional<String> activeAgent(String sessionId) {
        State s = sessions.get(sessionId);
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s) {
            return Optional.ofNullable(s.activeAgent);
        }
    }

    @Override
    public void setActiveAgent(String sessionId, String agentName) {
        State s = state(sessionId);
        synchronized (s) {
            s.activeAgent = agentName;
        }
    }
}
