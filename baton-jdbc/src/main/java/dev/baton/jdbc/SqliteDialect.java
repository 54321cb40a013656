package dev.baton.jdbc;

import dev.baton.durable.RecordedEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * SQLite's half of the store seam: every write goes through the file's group commit
 * ({@link SqliteWriter}, shared by the stores this JVM opened on the file), reads take a
 * connection of the store's own read pool, whose statements stay prepared, and never wait for the
 * writer. One writer serialises every write, so no row is ever locked; nothing tells another
 * process of a commit, so news of runs is polled.
 */
final class SqliteDialect implements Dialect {

    private final String database;
    private final String store;
    /** {@link #store} capitalised: {@code "SQLite run store /var/baton.db"}. */
    private final String label;
    private final SqliteWriter writer;
    private final BlockingQueue<Statements> readers;

    /**
     * The dialect of a store that just opened {@code opened}.
     *
     * @param kind how messages name the kind of store: {@code "SQLite run store"}
     * @param share whether the file's group commit may be shared with the other stores of this JVM
     * @param interruptible whether a caller interrupted while it waits for its commit stops waiting
     */
    SqliteDialect(SqliteDatabase.Opened opened, String kind, Duration busyTimeout, int maxBatch, boolean share,
            boolean interruptible) {
        this.database = opened.path().toString();
        this.label = kind + " " + database;
        this.store = "the " + label;
        this.writer = SqliteWriter.open(opened, busyTimeout, maxBatch, label, share, interruptible);
        List<Statements> pool = new ArrayList<>(opened.readers().size());
        for (Connection c : opened.readers()) {
            pool.add(new Statements(c));
        }
        this.readers = new ArrayBlockingQueue<>(pool.size(), false, pool);
    }

    @Override
    public String database() {
        return database;
    }

    @Override
    public String store() {
        return store;
    }

    @Override
    public <T> T read(String what, String subject, Work<T> work) {
        Statements c = takeReader(what, subject);
        try {
            return work.apply(c);
        } catch (SQLException e) {
            c.forget(); // a statement whose step failed is finalized by the driver
            throw new StoreException(database, "The " + label + " failed to " + what + " " + subject + ": "
                    + describe(e), e);
        } finally {
            giveBack(c);
        }
    }

    /** Every write is one transaction of the group commit, committed with the writes queued meanwhile. */
    @Override
    public <T> T write(String what, String subject, boolean transaction, Work<T> work) {
        return writer.write(what, subject, work);
    }

    /**
     * Runs {@code sql} on the write connection, in turn with the writes and inside a group's
     * transaction (tests change the connection's limits with it).
     */
    void executeOnWriter(String sql) {
        writer.write("execute '" + sql + "' on", "its write connection", c -> {
            SqliteDatabase.execute(c.connection(), sql);
            return null;
        });
    }

    @Override
    public void ensureOpen(String what, String subject) {
        writer.ensureOpen(what, subject);
    }

    boolean isClosed() {
        return writer.isClosed();
    }

    @Override
    public String describe(Throwable e) {
        return SqliteDatabase.describe(e);
    }

    @Override
    public String insertionOrder() {
        return "rowid";
    }

    @Override
    public boolean batchesInserts() {
        return false;
    }

    @Override
    public boolean locksRows() {
        return false;
    }

    /** Nothing to send: other processes poll (see {@link SqliteNotifier}). */
    @Override
    public void notifyRun(Statements c, String runId) {}

    @Override
    public void notifyEvents(Statements c, List<RecordedEvent> events) {}

    @Override
    public StoreNotifier notifier(Function<List<String>, Map<String, String>> marks) {
        return new SqliteNotifier(label, marks);
    }

    /**
     * Closes the store's handle on the writer (the last store on the file closes the writer: the
     * group being committed is finished, writes still queued fail) and its read connections.
     */
    @Override
    public void close() {
        if (writer.isClosed()) {
            return;
        }
        List<Throwable> failures = new ArrayList<>();
        writer.close(failures);
        Statements reader;
        while ((reader = readers.poll()) != null) {
            reader.close(failures);
        }
        if (!failures.isEmpty()) {
            StoreException e = new StoreException(database, "Closing " + store + " failed: " + describe(failures.get(0)),
                    failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    private Statements takeReader(String what, String subject) {
        try {
            while (true) {
                writer.ensureOpen(what, subject);
                Statements c = readers.poll(100, TimeUnit.MILLISECONDS);
                if (c != null) {
                    if (writer.isClosed()) {
                        giveBack(c);
                        writer.ensureOpen(what, subject);
                    }
                    return c;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(database, "Interrupted while waiting to " + what + " " + subject + " in " + store, e);
        }
    }

    private void giveBack(Statements c) {
        if (writer.isClosed()) {
            c.close(new ArrayList<>());
            return;
        }
        readers.add(c);
        if (writer.isClosed()) { // close() may have drained the pool before this connection came back
            Statements late;
            while ((late = readers.poll()) != null) {
                late.close(new ArrayList<>());
            }
        }
    }
}
