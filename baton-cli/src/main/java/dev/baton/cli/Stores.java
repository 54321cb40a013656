package dev.baton.cli;

import dev.baton.durable.RunStore;
import dev.baton.jdbc.PostgresRunStore;
import dev.baton.jdbc.PostgresSessionStore;
import dev.baton.jdbc.SqliteRunStore;
import dev.baton.jdbc.SqliteSessionStore;
import dev.baton.session.SessionStore;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The session and run stores of one database: the SQLite file {@code .baton/baton.db} under the
 * working directory by default, another SQLite file, or a PostgreSQL database shared by several
 * processes.
 *
 * @param label how the banner names the database (a PostgreSQL password is masked)
 */
record Stores(SessionStore sessions, RunStore runs, String label, AutoCloseable sessionsCloser) implements AutoCloseable {
    static final String DEFAULT_FILE = ".baton/baton.db";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Opens the stores {@code db} names: null for the default file, {@code jdbc:postgresql://...}
     * (user and password as URL parameters), {@code jdbc:sqlite:<file>} or a file path.
     *
     * @throws CliError if the database cannot be opened
     */
    static Stores open(@Nullable String db, Path workDir) {
        if (db == null) {
            return sqlite(workDir.resolve(DEFAULT_FILE), DEFAULT_FILE);
        }
        if (db.startsWith("jdbc:postgresql:")) {
            return postgres(db);
        }
        if (db.startsWith("jdbc:sqlite:")) {
            String file = sqliteFile(db.substring("jdbc:sqlite:".length()), true, db);
            return sqlite(workDir.resolve(file), file);
        }
        if (db.startsWith("jdbc:")) {
            throw new CliError("unsupported database '" + db + "' (use a file path, jdbc:sqlite:<file> or jdbc:postgresql://host/db)");
        }
        return sqlite(workDir.resolve(sqliteFile(db, false, db)), db);
    }

    /**
     * The file of a SQLite location as sqlite-jdbc reads it after {@code jdbc:sqlite:}: a path, or
     * a {@code file:} URI ({@code file:data.db}, {@code file:///abs/data.db}), parameters
     * ({@code ?...}) of a JDBC URL or URI left out.
     *
     * @throws CliError for an in-memory database, which other {@code baton} processes could not see
     */
    static String sqliteFile(String location, boolean url, String db) {
        String file = location;
        boolean uri = file.startsWith("file:");
        if (uri) {
            file = file.substring("file:".length());
            if (file.startsWith("//")) {
                file = file.substring(2);
                int slash = file.indexOf('/');
                file = slash < 0 ? "" : file.substring(slash); // file://host/path: the host is empty or localhost
            }
        }
        int q = url || uri ? file.indexOf('?') : -1;
        String params = q < 0 ? "" : file.substring(q + 1);
        if (q >= 0) {
            file = file.substring(0, q);
        }
        if (uri) {
            file = URLDecoder.decode(file.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
        if (file.isEmpty() || file.equals(":memory:") || params.matches("(?i)(.*&)?mode=memory(&.*)?")) {
            throw new CliError("an in-memory SQLite database cannot be used: each baton command is a process of its own and runs, "
                    + "sessions and approvals must outlive it (use a file, e.g. --db .baton/baton.db), got '" + db + "'");
        }
        return file;
    }

    /** A temporary SQLite file, for the demo. */
    static Stores temporary(Path dir) {
        return sqlite(dir.resolve("baton.db"), "temporary (deleted at exit)");
    }

    private static Stores sqlite(Path file, String label) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CliError("cannot open database " + label + ": cannot create directory " + dir + " (" + reason(e) + ")",
                    CliError.FAILED, e);
        }
        SqliteSessionStore sessions = SqliteSessionStore.open(file);
        try {
            return new Stores(sessions, SqliteRunStore.open(file), label, sessions);
        } catch (RuntimeException e) {
            sessions.close();
            throw e;
        }
    }

    private static Stores postgres(String url) {
        String user = parameter(url, "user");
        String password = parameter(url, "password");
        if (user == null) {
            user = System.getProperty("user.name");
        }
        PostgresSessionStore sessions = PostgresSessionStore.open(url, user, password, CONNECT_TIMEOUT);
        try {
            PostgresRunStore runs = PostgresRunStore.open(url, user, password, CONNECT_TIMEOUT);
            return new Stores(sessions, runs, masked(url), sessions);
        } catch (RuntimeException e) {
            sessions.close();
            throw e;
        }
    }

    /** A query parameter of a JDBC URL, decoded; null if absent. */
    static @Nullable String parameter(String url, String name) {
        int q = url.indexOf('?');
        if (q < 0) {
            return null;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equalsIgnoreCase(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    static String masked(String url) {
        return url.replaceAll("(?i)([?&;]password=)[^&;]*", "$1***");
    }

    private static String reason(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    @Override
    public void close() {
        try {
            runs.close();
        } finally {
            try {
                sessionsCloser.close();
            } catch (Exception e) {
                // Closing releases connections; a failure here has nothing left to lose.
            }
        }
    }
}
