package dev.baton.jdbc;

import dev.baton.durable.RunNotifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.sqlite.SQLiteConfig;

/**
 * Durable runs in one SQLite file: the runs, the journal of their effects, their events and their
 * approvals, for a single machine that needs no database server.
 *
 * <pre>{@code
 * try (SqliteRunStore runs = SqliteRunStore.open(Path.of("baton.db"));
 *         SqliteSessionStore sessions = SqliteSessionStore.open(Path.of("baton.db"))) {
 *     ...
 * }
 * }</pre>
 *
 * <p>The file is created on first use, in an existing directory, and put in WAL mode. Its schema
 * is migrated by the same Flyway migrations, with the same history table, as
 * {@link SqliteSessionStore}'s, so runs and sessions can share one file, opened by either store
 * first, from one process or several.
 *
 * <p>Writes are committed in groups: each call queues its write and returns once it is committed,
 * while one writer thread commits every write queued meanwhile in one transaction. A durable run
 * makes several synchronous store calls per step, and many runs write at once; grouping them
 * spares a transaction per call. With {@code synchronous=NORMAL} in WAL mode a committed write
 * survives a killed process (not a power loss before the next checkpoint). A write that fails
 * fails alone; the other writes of its group are committed without it. A {@link SqliteSessionStore}
 * (or another run store) this JVM opens on the same file with the same busy timeout and batch size
 * shares the writer thread and its connection, so runs and their sessions are committed together
 * and never wait for each other's lock; the writer closes with the last store using it. Reads use a
 * small pool of read-only connections and never wait for the writer.
 *
 * <p>Instants are kept to the millisecond: finer parts are dropped on write, so what is read back
 * is the instant truncated to milliseconds. Every failure, from opening the file to a row that no
 * longer decodes, is a {@link StoreException} naming the file; a corrupted row also names its
 * table, run and column. Thread-safe; blocking is virtual-thread friendly.
 *
 * <p>The operations, their fences and their messages are those of every JDBC run store, written
 * once; this class opens the file and picks SQLite's dialect (see decision 36 in {@code docs/decisions.md}).
 */
public final class SqliteRunStore extends JdbcRunStore {

    /**
     * How the store is opened.
     *
     * @param busyTimeout how long a write waits for another connection's lock on the file before
     *     it fails
     * @param readers how many read connections to keep (1 or more)
     * @param maxBatch at most this many writes in one transaction (1 or more)
     */
    public record Options(Duration busyTimeout, int readers, int maxBatch) {
        public Options {
            Objects.requireNonNull(busyTimeout, "busyTimeout");
            if (readers < 1) {
                throw new IllegalArgumentException("readers must be at least 1, got " + readers);
            }
            if (maxBatch < 1) {
                throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
            }
        }

        /** A five-second busy timeout, four to sixteen readers (one per processor), groups of up to 1,000 writes. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(5), Math.clamp(Runtime.getRuntime().availableProcessors(), 4, 16), 1000);
        }

        public Options withBusyTimeout(Duration busyTimeout) {
            return new Options(busyTimeout, readers, maxBatch);
        }

        public Options withReaders(int readers) {
            return new Options(busyTimeout, readers, maxBatch);
        }

        public Options withMaxBatch(int maxBatch) {
            return new Options(busyTimeout, readers, maxBatch);
        }
    }

    private static final String STORE = "SQLite run store";

    private final Path file;
    private final SqliteDialect sqlite;

    private SqliteRunStore(SqliteDialect dialect, Path file) {
        super(dialect);
        this.sqlite = dialect;
        this.file = file;
    }

    private static SqliteRunStore open(SqliteDatabase.Opened opened, Options options, boolean share) {
        return new SqliteRunStore(new SqliteDialect(opened, STORE, options.busyTimeout(), options.maxBatch(), share, true),
                opened.path());
    }

    /**
     * Opens the store in {@code file}, creating the file if it does not exist and migrating its
     * schema, with {@linkplain Options#defaults() default options}.
     *
     * @throws StoreException if the directory does not exist, the path is not a writable file, the
     *     file is not a SQLite database, or its schema cannot be migrated
     */
    public static SqliteRunStore open(Path file) {
        return open(file, Options.defaults());
    }

    /** Opens the store in {@code file}, as {@link #open(Path)} does, with these options. */
    public static SqliteRunStore open(Path file, Options options) {
        Objects.requireNonNull(options, "options");
        return open(SqliteDatabase.open(file, options.busyTimeout(), options.readers(), STORE), options, true);
    }

    /**
     * Opens the store in an existing {@code file} only to read it (listing runs, showing a run's
     * history, listing pending approvals): the file is opened read-only, so one SQLite may not
     * write can be read, and nothing is created or migrated. Every write fails with a
     * {@link StoreException}.
     *
     * @throws StoreException if the file does not exist, is not a SQLite database, or its schema
     *     is not the current one
     */
    public static SqliteRunStore openReadOnly(Path file) {
        Options options = Options.defaults().withReaders(1);
        return open(SqliteDatabase.openReadOnly(file, options.busyTimeout(), options.readers(), STORE), options, false);
    }

    /** Opens the store as {@link #open(Path, Options)} does, with the driver's settings changed by {@code configure} (tests). */
    static SqliteRunStore open(Path file, Options options, Consumer<SQLiteConfig> configure) {
        Objects.requireNonNull(options, "options");
        return open(SqliteDatabase.open(file, options.busyTimeout(), options.readers(), STORE, configure), options, false);
    }

    /**
     * Runs {@code sql} on the write connection, in turn with the writes and inside a group's
     * transaction: how tests change the connection's limits, as {@code PRAGMA max_page_count}
     * does to fill the disk and free it again.
     */
    void executeOnWriter(String sql) {
        sqlite.executeOnWriter(sql);
    }

    /** The absolute path of the store's file. */
    public Path file() {
        return file;
    }

    /**
     * Closes the store: the writer thread finishes the group it is committing, writes still queued
     * fail with a {@link StoreException}, then the connections are closed (the writer with the
     * last store using it). Later calls fail with a {@link StoreException} saying the store is
     * closed. Closing twice is harmless.
     */
    @Override
    public void close() {
        if (!sqlite.isClosed()) {
            super.close();
        }
    }

    /**
     * News of runs: writes through this store wake its readers at once; writes by another process
     * (or another store on the file) are noticed by a thread that reads, every 100 ms while someone
     * here follows a run, a mark of each followed run (status, update time, last event), by primary
     * key. So a reader in another process learns of a change within about 100 ms, at the cost of
     * one small read per 100 ms per store, and none while nobody follows a run.
     */
    @Override
    public RunNotifier notifier() {
        return super.notifier();
    }

    @Override
    public String toString() {
        return "SqliteRunStore[" + file + "]";
    }
}
