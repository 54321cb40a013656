package dev.baton.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Opening a Baton SQLite file, shared by the session and run stores so that both keep one schema
 * with one migration history: the path is checked, the file put in WAL mode and migrated by the
 * Flyway migrations under {@value #MIGRATIONS} (history table {@value #SCHEMA_HISTORY_TABLE}),
 * then a write connection and read-only connections are opened.
 */
final class SqliteDatabase {

    static final String SCHEMA_HISTORY_TABLE = "baton_schema_history";
    static final String MIGRATIONS = "classpath:db/migration/sqlite";
    /**
     * The version of the newest migration under {@value #MIGRATIONS} (a test checks it against the
     * files): a file whose history holds exactly the migrations 1 to this one, all successful, is
     * current, and opening it skips Flyway, whose scan and validation cost a command-line process
     * most of its start-up.
     */
    static final int LATEST_MIGRATION = 9;

    /** Migrations of two stores opening the same new file at once must not race in this JVM. */
    private static final Object MIGRATION_LOCK = new Object();
    /**
     * Flyway cannot lock SQLite's history table, so two processes migrating one new file at once
     * can both try a migration; the loser's transaction rolls back and it tries again, finding
     * the migration applied.
     */
    private static final int MIGRATION_ATTEMPTS = 5;

    /**
     * An opened file: its absolute path, the write connection, the read-only connections, and a
     * connection for {@link SqliteCheckpoints} (none when the file is opened only to be read).
     */
    record Opened(Path path, Connection writer, List<Connection> readers, @Nullable Connection checkpoints) {}

    private SqliteDatabase() {}

    /**
     * Opens {@code file}, creating it if needed, and migrates its schema.
     *
     * @param store how messages name the store, for example {@code "SQLite session store"}
     * @throws StoreException if the directory does not exist, the path is not a writable file, the
     *     file is not a SQLite database, or its schema cannot be migrated
     */
    static Opened open(Path file, Duration busyTimeout, int readerCount, String store) {
        return open(file, busyTimeout, readerCount, store, config -> {});
    }

    /**
     * Opens {@code file} as {@link #open(Path, Duration, int, String)} does, with the driver's
     * settings changed by {@code configure} before any connection is made: how tests open a file
     * the way SQLite opens one it may not write (read-only, without an error).
     */
    static Opened open(Path file, Duration busyTimeout, int readerCount, String store, Consumer<SQLiteConfig> configure) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(busyTimeout, "busyTimeout");
        if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("busyTimeout must be between zero and " + Integer.MAX_VALUE + " ms: " + busyTimeout);
        }
        Path path = file.toAbsolutePath().normalize();
        String name = path.toString();
        Path directory = path.getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new StoreException(name, "Cannot open the " + store + " " + name + ": the directory "
                    + directory + (directory != null && Files.exists(directory) ? " is not a directory" : " does not exist"), null);
        }
        if (Files.isDirectory(path)) {
            throw new StoreException(name, "Cannot open the " + store + " " + name + ": it is a directory, not a file", null);
        }

        SqliteNativeLibrary.prepare();
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        // The stores never read generated keys; the driver would run a SELECT last_insert_rowid() after every INSERT.
        config.setGetGeneratedKeys(false);
        config.setBusyTimeout((int) busyTimeout.toMillis());
        configure.accept(config);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + name);

        List<Connection> opened = new ArrayList<>();
        try {
            Connection writer = dataSource.getConnection();
            opened.add(writer);
            String mode = journalMode(writer);
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new StoreException(name, "Cannot open the " + store + " " + name
                        + ": it could not be put in WAL mode (journal mode is " + mode + ")", null);
            }
            requireWritable(writer, name, store);
            if (!current(writer)) {
                migrate(dataSource);
            }
            List<Connection> readers = new ArrayList<>(readerCount);
            for (int i = 0; i < readerCount; i++) {
                Connection reader = dataSource.getConnection();
                opened.add(reader);
                execute(reader, "PRAGMA query_only = true");
                readers.add(reader);
            }
            Connection checkpoints = dataSource.getConnection();
            opened.add(checkpoints);
            return new Opened(path, writer, List.copyOf(readers), checkpoints);
        } catch (SQLException | FlywayException e) {
            closeAll(opened, e);
            throw new StoreException(name, "Cannot open the " + store + " " + name + ": " + describe(e), e);
        } catch (RuntimeException e) {
            closeAll(opened, e);
            throw e;
        }
    }

    /**
     * Opens an existing {@code file} only to read it: no connection may write (SQLite opens it
     * read-only), nothing is created or migrated, and a file SQLite may not write can be read. The
     * file's schema must be current. For a command that only lists what the store holds.
     *
     * @throws StoreException if the file does not exist, is not a SQLite database, or its schema
     *     is not the current one
     */
    static Opened openReadOnly(Path file, Duration busyTimeout, int readerCount, String store) {
        Objects.requireNonNull(file, "file");
        Path path = file.toAbsolutePath().normalize();
        String name = path.toString();
        if (!Files.isRegularFile(path)) {
            throw new StoreException(name, "Cannot read the " + store + " " + name + ": "
                    + (Files.exists(path) ? "it is not a file" : "it does not exist"), null);
        }
        SqliteNativeLibrary.prepare();
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setGetGeneratedKeys(false);
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + name);
        List<Connection> opened = new ArrayList<>();
        try {
            Connection first = dataSource.getConnection();
            opened.add(first);
            if (!current(first)) {
                throw new StoreException(name, "Cannot read the " + store + " " + name + ": its schema is not the current one "
                        + "(open it once with a command that writes, which migrates it)", null);
            }
            List<Connection> readers = new ArrayList<>(readerCount);
            for (int i = 0; i < readerCount; i++) {
                Connection reader = dataSource.getConnection();
                opened.add(reader);
                readers.add(reader);
            }
            return new Opened(path, first, List.copyOf(readers), null);
        } catch (SQLException e) {
            closeAll(opened, e);
            throw new StoreException(name, "Cannot read the " + store + " " + name + ": " + describe(e), e);
        } catch (RuntimeException e) {
            closeAll(opened, e);
            throw e;
        }
    }

    /**
     * Fails unless the write connection can write the file. SQLite opens a file it may not write
     * (its permissions, those of its directory or of its {@code -wal} and {@code -shm} files, a
     * read-only file system) read-only, without an error, and even begins write transactions on
     * it; only a write fails. A store opened so would fail every write of every run, so the open
     * fails instead: a write of the header's user version as it is, rolled back.
     */
    private static void requireWritable(Connection writer, String name, String store) throws SQLException {
        execute(writer, "BEGIN IMMEDIATE");
        SQLException failed = null;
        try (Statement s = writer.createStatement()) {
            long version;
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getLong(1) : 0;
            }
            s.execute("PRAGMA user_version = " + version);
        } catch (SQLException e) {
            failed = e;
        }
        try {
            execute(writer, "ROLLBACK");
        } catch (SQLException e) {
            if (failed == null) {
                throw e;
            }
            failed.addSuppressed(e);
        }
        if (failed instanceof SQLiteException e && e.getResultCode().code % 256 == SQLiteErrorCode.SQLITE_READONLY.code) {
            throw new StoreException(name, "Cannot open the " + store + " " + name + ": SQLite can only read it ("
                    + describe(e) + "); make the file, its directory and any " + name + "-wal and " + name
                    + "-shm files writable by this process", e);
        }
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * Whether the file's history holds exactly the migrations 1 to {@value #LATEST_MIGRATION}, each
     * once and successful. Anything else (a new file, one behind, a failed or a newer migration) is
     * left to Flyway, which migrates or reports it.
     */
    static boolean current(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '"
                    + SCHEMA_HISTORY_TABLE + "'")) {
                if (!rs.next() || rs.getInt(1) == 0) {
                    return false;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(DISTINCT version), MIN(CAST(version AS INTEGER)),"
                    + " MAX(CAST(version AS INTEGER)), SUM(CASE WHEN success THEN 0 ELSE 1 END) FROM " + SCHEMA_HISTORY_TABLE
                    + " WHERE version IS NOT NULL")) {
                return rs.next() && rs.getInt(1) == LATEST_MIGRATION && rs.getInt(2) == LATEST_MIGRATION && rs.getInt(3) == 1
                        && rs.getInt(4) == LATEST_MIGRATION && rs.getInt(5) == 0;
            }
        }
    }

    private static void migrate(SQLiteDataSource dataSource) {
        Flyway flyway = Flyway.configure(SqliteDatabase.class.getClassLoader())
                .dataSource(dataSource)
                .locations(MIGRATIONS)
                .failOnMissingLocations(true)
                .table(SCHEMA_HISTORY_TABLE)
                .load();
        synchronized (MIGRATION_LOCK) {
            for (int attempt = 1; ; attempt++) {
                try {
                    flyway.migrate();
                    return;
                } catch (FlywayException e) {
                    if (attempt >= MIGRATION_ATTEMPTS || describe(e).contains("not a database")) {
                        throw e;
                    }
                    try {
                        Thread.sleep(50L * attempt);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw e;
                    }
                }
            }
        }
    }

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String journalMode(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            return rs.next() ? rs.getString(1) : "unknown";
        }
    }

    static void closeAll(List<Connection> connections, Exception cause) {
        for (Connection c : connections) {
            try {
                c.close();
            } catch (SQLException e) {
                cause.addSuppressed(e);
            }
        }
    }

    static void closeQuietly(Connection c, List<Throwable> failures) {
        try {
            c.close();
        } catch (SQLException e) {
            failures.add(e);
        }
    }

    /** A failure's message for a {@link StoreException}, with the cause a Flyway failure hides. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        if (e instanceof JsonProcessingException json) {
            message = json.getOriginalMessage();
        }
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        Throwable cause = e.getCause();
        if (e instanceof FlywayException && cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message = message + " (" + cause.getMessage() + ")";
        }
        return message;
    }
}
