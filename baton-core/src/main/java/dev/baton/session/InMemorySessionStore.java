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

    /** Who holds a session; a fenced write holds this object's monitor while it checks and writes. */
    private static final class Holder {
        @org.jspecify.annotations.Nullable String owner;
        long token;
        long expiresAt; // epoch milliseconds; 0 once released
    }

    private final ConcurrentHashMap<String, State> sessions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Holder> leases = new ConcurrentHashMap<>();

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

    @Override
    public Optional<SessionLease> tryLease(String sessionId, String owner, java.time.Duration ttl) {
        java.util.Objects.requireNonNull(sessionId, "sessionId");
        requireLeaseArguments(owner, ttl);
        Holder h = leases.computeIfAbsent(sessionId, id -> new Holder());
        synchronized (h) {
            long now = System.currentTimeMillis();
            if (h.owner != null && h.expiresAt > now) {
                return Optional.empty();
            }
            h.owner = owner;
            h.token++;
            h.expiresAt = now + ttl.toMillis();
            return Optional.of(lease(sessionId, h));
        }
    }

    @Override
    public Optional<SessionLease> renewLease(SessionLease lease, java.time.Duration ttl) {
        requireLeaseArguments(lease.owner(), ttl);
        Holder h = leases.get(lease.sessionId());
        if (h == null) {
            return Optional.empty();
        }
        synchronized (h) {
            if (!holds(h, lease) || h.expiresAt == 0) {
                return Optional.empty();
            }
            h.expiresAt = System.currentTimeMillis() + ttl.toMillis();
            return Optional.of(lease(lease.sessionId(), h));
        }
    }

    @Override
    public void releaseLease(SessionLease lease) {
        Holder h = leases.get(lease.sessionId());
        if (h == null) {
            return;
        }
        synchronized (h) {
            if (holds(h, lease)) {
                h.expiresAt = 0;
            }
        }
    }

    @Override
    public Optional<SessionLease> lease(String sessionId) {
        Holder h = leases.get(sessionId);
        if (h == null) {
            return Optional.empty();
        }
        synchronized (h) {
            return h.owner != null && h.expiresAt > System.currentTimeMillis() ? Optional.of(lease(sessionId, h)) : Optional.empty();
        }
    }

    @Override
    public void addItems(SessionLease lease, List<Item> items) {
        List<Item> copy = List.copyOf(items);
        fenced(lease, "add items to", () -> addItems(lease.sessionId(), copy));
    }

    @Override
    public boolean addItemsOnce(SessionLease lease, String writeKey, List<Item> items) {
        java.util.Objects.requireNonNull(writeKey, "writeKey");
        List<Item> copy = List.copyOf(items);
        boolean[] added = new boolean[1];
        fenced(lease, "add items to", () -> added[0] = addItemsOnce(lease.sessionId(), writeKey, copy));
        return added[0];
    }

    @Override
    public void setActiveAgent(SessionLease lease, String agentName) {
        java.util.Objects.requireNonNull(agentName, "agentName");
        fenced(lease, "set the active agent of", () -> setActiveAgent(lease.sessionId(), agentName));
    }

    @Override
    public void recordUsage(SessionLease lease, String runId, dev.baton.model.Usage usage, java.time.Instant at) {
        java.util.Objects.requireNonNull(runId, "runId");
        java.util.Objects.requireNonNull(usage, "usage");
        java.util.Objects.requireNonNull(at, "at");
        fenced(lease, "record usage on", () -> recordUsage(lease.sessionId(), runId, usage, at));
    }

    private void fenced(SessionLease lease, String what, Runnable write) {
        Holder h = leases.get(lease.sessionId());
        if (h == null) {
            throw lost(lease, what);
        }
        synchronized (h) {
            if (!holds(h, lease)) {
                throw lost(lease, what);
            }
            write.run();
        }
    }

    private static boolean holds(Holder h, SessionLease lease) {
        return h.token == lease.token() && lease.owner().equals(h.owner);
    }

    private static SessionLease lease(String sessionId, Holder h) {
        return new SessionLease(sessionId, java.util.Objects.requireNonNull(h.owner), h.token, java.time.Instant.ofEpochMilli(h.expiresAt));
    }

    private static dev.baton.SessionLeaseLost lost(SessionLease lease, String what) {
        return new dev.baton.SessionLeaseLost("Cannot " + what + " session '" + lease.sessionId() + "': " + lease.owner()
                + " no longer holds it (lease " + lease.token() + " was taken over)", lease.sessionId());
    }

    static void requireLeaseArguments(String owner, java.time.Duration ttl) {
        java.util.Objects.requireNonNull(owner, "owner");
        java.util.Objects.requireNonNull(ttl, "ttl");
        if (owner.isBlank()) {
            throw new IllegalArgumentException("A session lease's owner must not be blank");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("A session lease must last a positive time, got " + ttl);
        }
    }
}
