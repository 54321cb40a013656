package dev.baton.jdbc;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A store of this module could not do what was asked: the database cannot be opened or created
 * (a missing directory, a file that is not a database, a database that can only be read), a write
 * found the disk full, it stayed locked longer than the busy timeout, a row cannot be read back,
 * or the store is closed. The message names the database
 * (for SQLite, its file) and, where there is one, the session.
 *
 * <p>Unchecked, like every Baton error; a run that meets it while reading or writing its session
 * reports it as the cause of a {@link dev.baton.SessionStoreFailed}.
 */
public final class StoreException extends RuntimeException {

    private final String database;

    public StoreException(String database, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.database = Objects.requireNonNull(database, "database");
    }

    /** The database the store works on: for SQLite, the absolute path of its file. */
    public String database() {
        return database;
    }
}
