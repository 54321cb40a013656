package dev.baton.run;

import dev.baton.session.SessionStore;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per (store, session id) in this JVM, so two runs on one session take turns instead of
 * interleaving their items. Entries are dropped when no run holds or waits for them.
 */
final class SessionLocks {
    private record Key(SessionStore store, String sessionId) {}

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
    }

    private static final ConcurrentHashMap<Key, Entry> LOCKS = new ConcurrentHashMap<>();

    private SessionLocks() {}

    /** Waits for the session's lock; interruptible so a cancelled run stops waiting. */
    static AutoCloseable acquire(SessionStore store, String sessionId) throws InterruptedException {
        Key key = new Key(store, sessionId);
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
        return () -> {
            entry.lock.unlock();
            release(key);
        };
    }

    private static void release(Key key) {
        LOCKS.computeIfPresent(key, (k, e) -> --e.users == 0 ? null : e);
    }
}
