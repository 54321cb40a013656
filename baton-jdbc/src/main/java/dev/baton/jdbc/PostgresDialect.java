package dev.baton.jdbc;

import dev.baton.durable.RecordedEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * PostgreSQL's half of the store seam: each call borrows a connection from the pool, as one
 * transaction or as auto-committed statements; writers of one run or session take turns on its
 * row lock, so concurrent processes need no writer of Baton's own. Multi-row inserts go as one
 * batch (one round trip), and news of runs is sent with {@code NOTIFY} in the writing
 * transaction.
 */
final class PostgresDialect implements Dialect {

    private final PostgresDatabase database;

    PostgresDialect(PostgresDatabase database) {
        this.database = database;
    }

    @Override
    public String database() {
        return database.url();
    }

    @Override
    public String store() {
        return database.store();
    }

    @Override
    public <T> T read(String what, String subject, Work<T> work) {
        return call(what, subject, false, work);
    }

    @Override
    public <T> T write(String what, String subject, boolean transaction, Work<T> work) {
        return call(what, subject, transaction, work);
    }

    private <T> T call(String what, String subject, boolean transaction, Work<T> work) {
        ensureOpen(what, subject);
        try {
            return transaction ? database.transaction(c -> apply(c, work)) : database.autoCommit(c -> apply(c, work));
        } catch (SQLException e) {
            throw new StoreException(database.url(), PostgresDatabase.capitalized(database.store()) + " failed to " + what
                    + " " + subject + ": " + describe(e), e);
        }
    }

    /** The statements a call prepares live as long as the call: the pool hands its connection to others next. */
    private static <T> T apply(Connection c, Work<T> work) throws SQLException {
        Statements statements = new Statements(c);
        try {
            return work.apply(statements);
        } finally {
            statements.forget();
        }
    }

    @Override
    public void ensureOpen(String what, String subject) {
        if (database.isClosed()) {
            throw new StoreException(database.url(), "Cannot " + what + " " + subject + ": " + database.store()
                    + " is closed", null);
        }
    }

    @Override
    public String describe(Throwable e) {
        return PostgresDatabase.describe(e);
    }

    @Override
    public String insertionOrder() {
        return "seq";
    }

    @Override
    public boolean batchesInserts() {
        return true;
    }

    @Override
    public boolean locksRows() {
        return true;
    }

    @Override
    public void notifyRun(Statements c, String runId) throws SQLException {
        PostgresNotifier.notify(c.connection(), List.of(runId));
    }

    @Override
    public void notifyEvents(Statements c, List<RecordedEvent> events) throws SQLException {
        List<String> runIds = new ArrayList<>(events.size());
        for (RecordedEvent event : events) {
            runIds.add(event.runId());
        }
        PostgresNotifier.notify(c.connection(), runIds);
    }

    @Override
    public StoreNotifier notifier(Function<List<String>, Map<String, String>> marks) {
        return new PostgresNotifier(database);
    }

    /** Closes the pool the store opened; a data source the caller gave stays open. */
    @Override
    public void close() {
        database.close();
    }
}
