package dev.baton.run;

import dev.baton.UserError;
import dev.baton.session.SessionStore;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per (store, session id) in this JVM, so two runs on one session take turns instead of
 * interleaving their items. Entries are dropped when no run holds or waits for them.
 *
 * <p>A run that (through a tool or listener) starts another run on a session it already holds
 * is refused: waiting would deadlock, and re-entering would interleave the two runs' items. The
 * sessions a run holds are inherited by the threads it starts (tool calls), so they are refused too.
 */
final class SessionLocks {
    private record Key(SessionStore store, String sessionId) {}

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
    }

    private static final ConcurrentHashMap<Key, Entry> LOCKS = new ConcurrentHashMap<>();

    /** Sessions held by the run on this thread, or by the run that started this thread. */
    private static final InheritableThreadLocal<Set<Key>> HELD = new InheritableThreadLocal<>() {
        @Override
        protected Set<Key> childValue(Set<Key> parent) {
            return parent == null ? null : Set.copyOf(parent);
        }
    };

    private SessionLocks() {}

    /** Waits for the session's lock; interruptible so a cancelled run stops waiting. */
    static AutoCloseable acquire(SessionStore store, String sessionId) throws InterruptedException {
        Key key = new Key(store, sessionId);
        Set<Key> held = HELD.get();
        if (held != null && held.contains(key)) {
            throw new UserError("A run tried to start another run on session '" + sessionId
                    + "', which it is using itself; a tool or listener must not run an agent on its own run's session");
        }
        Entry entry = LOCKS.compute(key, (k, e) -> {
            Entry v = e == null ? new Entry() : e;
            v.users++;
            return v;
        });
        try {
            entry.lock.lockInterruptibly();
        } catch (InterruptedException e) {
            release(key);
            throw e;
        }
        Set<Key> mine = new HashSet<>(held == null ? Set.of() : held);
        mine.add(key);
        HELD.set(mine);
        return () -> {
            Set<Key> now = HELD.get();
            if (now != null) {
                Set<Key> rest = new HashSet<>(now);
                rest.remove(key);
                HELD.set(rest.isEmpty() ? null : rest);
            }
            entry.lock.unlock();
            release(key);
        };
    }

    private static void release(Key key) {
        LOCKS.computeIfPresent(key, (k, e) -> --e.users == 0 ? null : e);
    }
}
