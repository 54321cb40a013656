package dev.baton.jdbc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.sqlite.SQLiteConfig;

/**
 * Sessions in one SQLite file: the default durable {@link SessionStore}.
 *
 * <pre>{@code
 * try (SqliteSessionStore store = SqliteSessionStore.open(Path.of("baton.db"))) {
 *     Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(store).build());
 *     runner.run(triage, "I was charged twice", RunOptions.session("ticket-42"));
 * }
 * }</pre>
 *
 * <p>The file is created on first use, in an existing directory, and put in WAL mode; its schema
 * is brought up to date by the Flyway migrations under {@code db/migration/sqlite} (history table
 * {@value #SCHEMA_HISTORY_TABLE}), the same migrations {@link SqliteRunStore} runs, so both stores
 * can share one file. Items are stored as JSON, with the {@code type} discriminator of
 * {@link Item}.
 *
 * <p>Thread-safe. Each method is atomic and durable on return. Writes are committed in groups:
 * each call queues its write and returns once it is committed, while one writer thread commits
 * every write queued meanwhile in one transaction. Every store this JVM opens on the same file
 * with the same busy timeout (a {@link SqliteRunStore} with the default batch size, another
 * session store) shares that writer, so the writes of runs and of their sessions are committed
 * together rather than queueing for SQLite's one write lock. A write that fails fails alone.
 * Other processes on the file wait for SQLite's lock up to the busy timeout. Reads use a small
 * pool of connections of their own and do not wait for writers. Every failure, from opening the
 * file to a row that no longer decodes, is a {@link StoreException} that names the file.
 *
 * <p>The operations, their lease fences and their messages are those of every JDBC session
 * store, written once; this class opens the file and picks SQLite's dialect.
 */
public final class SqliteSessionStore extends JdbcSessionStore {

    /** How long a write waits for another connection's lock on the file before it fails, unless told otherwise. */
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);

    /** The table in which Flyway records the migrations applied to the file. */
    public static final String SCHEMA_HISTORY_TABLE = SqliteDatabase.SCHEMA_HISTORY_TABLE;

    private static final String STORE = "SQLite session store";
    private static final int READERS = 4;
    /** At most this many writes in one transaction: the run store's default, so both share one writer. */
    private static final int MAX_BATCH = SqliteRunStore.Options.defaults().maxBatch();

    private final Path file;

    private SqliteSessionStore(SqliteDatabase.Opened opened, Duration busyTimeout, boolean share) {
        // Uninterruptible, as a direct SQLite write is: a run stopped by an interrupt still gives its session back.
        super(new SqliteDialect(opened, STORE, busyTimeout, MAX_BATCH, share, false));
        this.file = opened.path();
    }

    /**
     * Opens the store in {@code file}, creating the file if it does not exist and migrating its
     * schema, with the {@linkplain #DEFAULT_BUSY_TIMEOUT default busy timeout}.
     *
     * @throws StoreException if the directory does not exist, the path is not a writable file, the
     *     file is not a SQLite database, or its schema cannot be migrated
     */
    public static SqliteSessionStore open(Path file) {
        return open(file, DEFAULT_BUSY_TIMEOUT);
    }

    /**
     * Opens the store in {@code file}, as {@link #open(Path)} does.
     *
     * @param busyTimeout how long an operation waits for a lock that another connection holds
     *     on the file before it fails with a {@link StoreException}
     */
    public static SqliteSessionStore open(Path file, Duration busyTimeout) {
        return new SqliteSessionStore(SqliteDatabase.open(file, busyTimeout, READERS, STORE), busyTimeout, true);
    }

    /** Opens the store as {@link #open(Path, Duration)} does, with the driver's settings changed by {@code configure} (tests). */
    static SqliteSessionStore open(Path file, Duration busyTimeout, Consumer<SQLiteConfig> configure) {
        return new SqliteSessionStore(SqliteDatabase.open(file, busyTimeout, READERS, STORE, configure), busyTimeout, false);
    }

    /** The absolute path of the store's file. */
    public Path file() {
        return file;
    }

    /**
     * Closes the store's connections (the file's writer with the last store using it). Writes
     * already queued are committed first; later calls fail with a {@link StoreException}.
     * Closing twice is harmless.
     */
    @Override
    public void close() {
        super.close();
    }

    @Override
    public String toString() {
        return "SqliteSessionStore[" + file + "]";
    }
}
