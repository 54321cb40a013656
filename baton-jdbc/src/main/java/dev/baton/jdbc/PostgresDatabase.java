package dev.baton.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL database behind a store: its connections (a HikariCP pool the store owns, or a
 * data source the caller owns), its schema, migrated by Flyway when it is opened, and
 * transactions. Shared by {@link PostgresSessionStore} and {@link PostgresRunStore}, which keep
 * their tables in one schema ({@code db/migration/postgres}).
 */
final class PostgresDatabase implements AutoCloseable {

    static final String MIGRATIONS = "classpath:db/migration/postgres";
    static final int POOL_SIZE = 10;
    /**
     * The databases (URL and user) whose schema this JVM has brought up to date: opening another
     * store on one of them skips Flyway, which takes about a tenth of a second even with nothing to do.
     */
    private static final java.util.Set<String> MIGRATED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final DataSource dataSource;
    private final @Nullable HikariDataSource pool;
    private final String url;
    private final String store;
    private volatile boolean closed;

    private PostgresDatabase(DataSource dataSource, @Nullable HikariDataSource pool, String url, String store) {
        this.dataSource = dataSource;
        this.pool = pool;
        this.url = url;
        this.store = store;
    }

    /**
     * Opens a pool on {@code jdbcUrl} and migrates the schema.
     *
     * @param kind how messages name the store, for example {@code "PostgreSQL session store"}
     */
    static PostgresDatabase open(String kind, String jdbcUrl, String user, @Nullable String password, Duration connectionTimeout) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        String url = withoutPassword(jdbcUrl);
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): " + url);
        }
        if (connectionTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("connectionTimeout must be at least 250 ms: " + connectionTimeout);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("baton-" + kind.toLowerCase(java.util.Locale.ROOT).replace(' ', '-'));
        config.setDriverClassName("org.postgresql.Driver");
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(connectionTimeout.toMillis());
        config.setInitializationFailTimeout(1); // fail at once when the server cannot be reached
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        config.addDataSourceProperty("ApplicationName", "baton");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException(url, "Cannot open the " + kind + " " + url + ": " + describe(e), e);
        }
        try {
            return migrate(new PostgresDatabase(pool, pool, url, "the " + kind + " " + url), url + " as " + user);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Uses {@code dataSource}, which the caller keeps and closes, and migrates the schema. */
    static PostgresDatabase open(String kind, DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        String url;
        String user;
        try (Connection c = dataSource.getConnection()) {
            url = withoutPassword(c.getMetaData().getURL());
            user = c.getMetaData().getUserName();
        } catch (SQLException e) {
            String name = dataSource.toString();
            throw new StoreException(name, "Cannot open the " + kind + " on " + name + ": " + describe(e), e);
        }
        return migrate(new PostgresDatabase(dataSource, null, url, "the " + kind + " " + url), url + " as " + user);
    }

    private static PostgresDatabase migrate(PostgresDatabase database, String key) {
        requireWritable(database);
        if (MIGRATED.contains(key)) {
            return database;
        }
        try {
            Flyway.configure(PostgresDatabase.class.getClassLoader())
                    .dataSource(database.dataSource)
                    .locations(MIGRATIONS)
                    .failOnMissingLocations(true)
                    .table(SqliteSessionStore.SCHEMA_HISTORY_TABLE)
                    .load()
                    .migrate();
            MIGRATED.add(key);
            return database;
        } catch (FlywayException e) {
            throw new StoreException(database.url, "Cannot open " + database.store + ": its schema could not be migrated: "
                    + describe(e), e);
        }
    }

    /**
     * Fails unless the database takes writes. A hot standby, or a database or user with
     * {@code default_transaction_read_only} on, accepts the connections and answers the reads,
     * and would fail every write of every run; the open fails instead.
     */
    private static void requireWritable(PostgresDatabase database) {
        String readOnly;
        try {
            readOnly = database.autoCommit(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW transaction_read_only")) {
                    return rs.next() ? rs.getString(1) : "off";
                }
            });
        } catch (SQLException e) {
            throw new StoreException(database.url, "Cannot open " + database.store + ": " + describe(e), e);
        }
        if ("on".equalsIgnoreCase(readOnly)) {
            throw new StoreException(database.url, "Cannot open " + database.store + ": the database only accepts reads"
                    + " (transaction_read_only is on: a standby server, or default_transaction_read_only set for the"
                    + " database or the user)", null);
        }
    }

    /** The database URL, without a password. */
    String url() {
        return url;
    }

    /** How messages name the store: "the PostgreSQL ... store jdbc:postgresql://...". */
    String store() {
        return store;
    }

    @FunctionalInterface
    interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in one transaction (read committed), committed when it returns, rolled back when it throws. */
    <T> T transaction(Work<T> work) throws SQLException {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                restoreAutoCommit(c);
            }
        }
    }

    /** Runs {@code work} on a connection in auto-commit mode: each statement its own transaction. */
    <T> T autoCommit(Work<T> work) throws SQLException {
        try (Connection c = connection()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            return work.apply(c);
        }
    }

    /** A connection kept by the caller, in auto-commit mode: the run store's listener for news of runs. */
    Connection connectionToListen() throws SQLException {
        Connection c = connection();
        if (!c.getAutoCommit()) {
            c.setAutoCommit(true);
        }
        return c;
    }

    private Connection connection() throws SQLException {
        if (closed) {
            throw new StoreException(url, capitalized(store) + " is closed", null);
        }
        return dataSource.getConnection();
    }

    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // the pool discards a broken connection
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes the pool the store opened; a data source the caller gave is left open. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (pool != null) {
            pool.close();
        }
    }

    static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** {@code url} without the value of a {@code password} parameter. */
    static String withoutPassword(String url) {
        return url.replaceAll("(?i)([?&;]password=)[^&;]*", "$1***");
    }

    /** The message of {@code e} and of its causes, each once. */
    static String describe(Throwable e) {
        StringBuilder text = new StringBuilder();
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            String message = t.getMessage();
            if (message == null || message.isBlank() || text.indexOf(message.strip()) >= 0) {
                continue;
            }
            if (!text.isEmpty()) {
                text.append(": ");
            }
            text.append(message.strip());
        }
        return text.isEmpty() ? e.getClass().getSimpleName() : text.toString();
    }
}
