package dev.baton.run;

import dev.baton.BatonException;
import dev.baton.SessionBusy;
import dev.baton.SessionStoreFailed;
import dev.baton.UserError;
import dev.baton.session.Session;
import dev.baton.session.SessionLease;
import dev.baton.session.SessionStore;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a run takes its session: first one lock per (store, session id) in this JVM, so runs of
 * this process take turns fairly, then a {@link SessionLease} in the store, so runs of other
 * processes sharing the store take turns too. The lease is renewed while the run goes on and
 * given back when it ends; a process that dies holding it loses it when it expires. Entries are
 * dropped when no run holds or waits for them.
 *
 * <p>A run that (through a tool or listener) starts another run on a session it already holds
 * is refused: waiting would deadlock, and re-entering would interleave the two runs' items. The
 * sessions a run holds are inherited by the threads it starts (tool calls), so they are refused too.
 */
final class SessionLocks {
    private static final Logger log = LoggerFactory.getLogger(SessionLocks.class);

    private record Key(SessionStore store, String sessionId) {}

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
        volatile @Nullable String holder;
    }

    private static final ConcurrentHashMap<Key, Entry> LOCKS = new ConcurrentHashMap<>();

    /** The timer of every held session's next lease renewal: one daemon thread that only schedules. */
    private static final LeaseRenewals RENEWALS = new LeaseRenewals("baton-session-lease-timer");

    /** Sessions held by the run on this thread, or by the run that started this thread. */
    private static final InheritableThreadLocal<Set<Key>> HELD = new InheritableThreadLocal<>() {
        @Override
        protected Set<Key> childValue(Set<Key> parent) {
            return parent == null ? null : Set.copyOf(parent);
        }
    };

    private SessionLocks() {}

    /** A run's hold on its session: the lease its writes are fenced with, given back on close. */
    static final class Held implements AutoCloseable, LeaseRenewals.Due {
        private final Key key;
        private final Entry entry;
        private final Duration ttl;
        private final ReentrantLock leaseLock = new ReentrantLock();
        private volatile SessionLease lease;
        private volatile boolean closed;
        private boolean released;

        private Held(Key key, Entry entry, SessionLease lease, Duration ttl) {
            this.key = key;
            this.entry = entry;
            this.lease = lease;
            this.ttl = ttl;
        }

        /** The lease as last renewed. */
        SessionLease lease() {
            return lease;
        }

        /**
         * Renews the lease every third of its time until the run lets go or the lease is lost. Most
         * runs end before their first renewal, so a renewal is a timer until it is due (no thread
         * per run); a due renewal calls the store on a virtual thread of its own.
         */
        private void scheduleRenewal() {
            if (closed) {
                return;
            }
            RENEWALS.schedule(this, TimeUnit.MILLISECONDS.toNanos(Math.max(1, ttl.toMillis() / 3)));
            if (closed) {
                RENEWALS.cancel(this);
            }
        }

        /** Called by the timer, on a virtual thread of its own, when the renewal is due. */
        @Override
        public void renew() {
            if (!closed && renewLease()) {
                scheduleRenewal();
            }
        }

        private boolean renewLease() {
            leaseLock.lock();
            try {
                if (released) {
                    return false;
                }
                Optional<SessionLease> renewed = key.store().renewLease(lease, ttl);
                if (renewed.isEmpty()) {
                    log.warn("the lease of session {} held by {} was taken over; the run's next write to it will fail",
                            key.sessionId(), lease.owner());
                    return false;
                }
                lease = renewed.get();
                return true;
            } catch (RuntimeException e) {
                // The next renewal tries again; until the lease expires the session is still the run's.
                log.warn("renewing the lease of session {} failed: {}", key.sessionId(), Callbacks.message(e));
                return true;
            } finally {
                leaseLock.unlock();
            }
        }

        /** Gives the session back: in the store first, then in this JVM. */
        @Override
        public void close() {
            closed = true;
            RENEWALS.cancel(this);
            boolean interrupted = Thread.interrupted(); // a cancelled run still gives its session back
            try {
                leaseLock.lock();
                try {
                    released = true;
                    key.store().releaseLease(lease);
                } catch (RuntimeException e) {
                    log.warn("giving back the lease of session {} failed; it is free once it expires: {}",
                            key.sessionId(), Callbacks.message(e));
                } finally {
                    leaseLock.unlock();
                }
            } finally {
                unlockInJvm(key, entry);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Takes the session for run {@code runId}, waiting up to {@code wait} in all (zero: not at
     * all); interruptible so a cancelled run stops waiting.
     *
     * @throws SessionBusy when another run still holds the session at the end of the wait
     */
    static Held acquire(Session session, String runId, Duration wait, Duration ttl) throws InterruptedException {
        Key key = new Key(session.store(), session.id());
        Set<Key> held = HELD.get();
        if (held != null && held.contains(key)) {
            throw new UserError("A run tried to start another run on session '" + session.id()
                    + "', which it is using itself; a tool or listener must not run an agent on its own run's session");
        }
        long deadline = System.nanoTime() + (wait.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365) : wait).toNanos();
        Entry entry = LOCKS.compute(key, (k, e) -> {
            Entry v = e == null ? new Entry() : e;
            v.users++;
            return v;
        });
        boolean locked;
        try {
            locked = wait.isZero() ? entry.lock.tryLock() : entry.lock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            release(key);
            throw e;
        }
        if (!locked) {
            release(key);
            String holder = entry.holder;
            throw busy(session.id(), wait, holder == null ? "another run of this process" : "run " + holder + " of this process", holder);
        }
        entry.holder = runId;
        SessionLease lease;
        try {
            lease = lease(key, owner(runId), wait, ttl, deadline);
        } catch (InterruptedException | RuntimeException e) {
            unlockInJvm(key, entry);
            throw e;
        }
        Set<Key> mine = new HashSet<>(held == null ? Set.of() : held);
        mine.add(key);
        HELD.set(mine);
        Held h = new Held(key, entry, lease, ttl);
        h.scheduleRenewal();
        return h;
    }

    private static SessionLease lease(Key key, String owner, Duration wait, Duration ttl, long deadline) throws InterruptedException {
        long pause = 5;
        while (true) {
            Optional<SessionLease> lease = store("take", key, () -> key.store().tryLease(key.sessionId(), owner, ttl));
            if (lease.isPresent()) {
                return lease.get();
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                Optional<SessionLease> holder = store("read the holder of", key, () -> key.store().lease(key.sessionId()));
                String who = holder.map(SessionLease::owner).orElse(null);
                throw busy(key.sessionId(), wait, who == null ? "another run, which just let go" : who, who);
            }
            Thread.sleep(Math.min(left, pause));
            pause = Math.min(pause * 2, 100);
        }
    }

    private static SessionBusy busy(String sessionId, Duration wait, String who, @Nullable String holder) {
        String waited = wait.isZero() ? "the run does not wait for it" : "the run waited " + wait.toMillis() + " ms for it";
        return new SessionBusy("Session '" + sessionId + "' is busy: " + who + " holds it, and " + waited
                + " (RunOptions.withSessionWait)", sessionId, holder);
    }

    private static <T> T store(String what, Key key, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (BatonException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SessionStoreFailed("The session store failed to " + what + " the lease of session '" + key.sessionId()
                    + "': " + Callbacks.message(e), e);
        }
    }

    /** Names the run and its process, so an error of a run waiting elsewhere says who holds the session. */
    private static String owner(String runId) {
        return "run " + runId + " (process " + ProcessHandle.current().pid() + " on " + Host.NAME + ")";
    }

    private static final class Host {
        static final String NAME = name();

        private static String name() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException | RuntimeException e) {
                return "an unnamed host";
            }
        }
    }

    private static void unlockInJvm(Key key, Entry entry) {
        Set<Key> now = HELD.get();
        if (now != null && now.contains(key)) {
            Set<Key> rest = new HashSet<>(now);
            rest.remove(key);
            HELD.set(rest.isEmpty() ? null : rest);
        }
        entry.holder = null;
        entry.lock.unlock();
        release(key);
    }

    private static void release(Key key) {
        LOCKS.computeIfPresent(key, (k, e) -> --e.users == 0 ? null : e);
    }
}
