package dev.baton.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One store's way to write its SQLite file: a handle on the file's {@link SqliteGroupCommit},
 * which every store of this JVM opened on the same file with the same busy timeout and batch size
 * shares. So a {@link SqliteRunStore} and a {@link SqliteSessionStore} on one file commit their
 * writes together, in the same groups, instead of two connections queueing for SQLite's one write
 * lock (each waiting out the other's transactions in SQLite's busy handler). The handle has a name
 * of its own for messages and a closed state of its own; the group commit and its connection are
 * closed when the last store using them closes.
 */
final class SqliteWriter {

    private record Key(Path path, Duration busyTimeout, int maxBatch) {}

    /** A group commit and how many open stores use it. */
    private static final class Shared {
        final @Nullable Key key;
        final SqliteGroupCommit commit;
        int users = 1;

        Shared(@Nullable Key key, SqliteGroupCommit commit) {
            this.key = key;
            this.commit = commit;
        }
    }

    /** The group commits of the files open in this JVM; guarded by itself. */
    private static final Map<Key, Shared> SHARED = new HashMap<>();

    private final Shared shared;
    private final String database;
    private final String store;
    private final boolean interruptible;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SqliteWriter(Shared shared, String database, String store, boolean interruptible) {
        this.shared = shared;
        this.database = database;
        this.store = store;
        this.interruptible = interruptible;
    }

    /**
     * The writer of a store that just opened {@code opened}: the group commit already running on
     * the file with these settings, if {@code share} and there is one (the connection
     * {@code opened.writer()} is then closed, unused), or a new one on {@code opened.writer()}.
     *
     * @param store how messages name the store, for example {@code "SQLite session store /var/baton.db"}
     * @param share false for a store opened with driver settings of its own (tests), which must
     *     not be shared
     * @param interruptible whether a caller interrupted while it waits for its commit stops
     *     waiting (with a {@link StoreException}) or waits on, keeping its interrupt status
     */
    static SqliteWriter open(SqliteDatabase.Opened opened, Duration busyTimeout, int maxBatch, String store, boolean share,
            boolean interruptible) {
        String database = opened.path().toString();
        if (!share) {
            return new SqliteWriter(new Shared(null, new SqliteGroupCommit(database, store, opened.writer(), opened.checkpoints(), maxBatch)),
                    database, store, interruptible);
        }
        Key key = new Key(opened.path(), busyTimeout, maxBatch);
        Shared shared;
        List<Connection> unused = new ArrayList<>(2);
        synchronized (SHARED) {
            shared = SHARED.get(key);
            if (shared == null) {
                shared = new Shared(key, new SqliteGroupCommit(database, store, opened.writer(), opened.checkpoints(), maxBatch));
                SHARED.put(key, shared);
            } else {
                shared.users++;
                unused.add(opened.writer());
                if (opened.checkpoints() != null) {
                    unused.add(opened.checkpoints());
                }
            }
        }
        List<Throwable> failures = new ArrayList<>();
        for (Connection c : unused) {
            SqliteDatabase.closeQuietly(c, failures); // connections never used: nothing to lose if closing them fails
        }
        return new SqliteWriter(shared, database, store, interruptible);
    }

    /** Queues a write and waits until it is committed; see {@link SqliteGroupCommit#write(String, String, Dialect.Work)}. */
    <T> T write(String what, String subject, Dialect.Work<T> work) {
        ensureOpen(what, subject);
        return shared.commit.write(store, what, subject, interruptible, work);
    }

    /** Fails with a {@link StoreException} saying the store is closed, once it is. */
    void ensureOpen(String what, String subject) {
        if (closed.get()) {
            throw new StoreException(database, "Cannot " + what + " " + subject + ": the " + store + " is closed", null);
        }
        shared.commit.ensureOpen(store, what, subject);
    }

    boolean isClosed() {
        return closed.get();
    }

    /**
     * Closes this store's handle: later writes through it fail as closed. The last handle on the
     * group commit closes it (the group being committed is finished, writes still queued fail, the
     * connection is closed); before that, writes already queued by this store are committed with
     * the others. Closing twice is harmless.
     */
    void close(List<Throwable> failures) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean last;
        synchronized (SHARED) {
            last = --shared.users == 0;
            if (last && shared.key != null) {
                SHARED.remove(shared.key);
            }
        }
        if (last) {
            shared.commit.close(failures);
        }
    }
}
