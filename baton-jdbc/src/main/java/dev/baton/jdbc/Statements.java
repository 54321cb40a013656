package dev.baton.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A connection with its prepared statements kept for reuse. Used by one thread at a time (the
 * writer thread, or the holder of a pooled read connection), so it needs no locking.
 */
final class Statements {
    private final Connection connection;
    private final Map<String, PreparedStatement> prepared = new HashMap<>();

    Statements(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    /** The statement for {@code sql}, prepared on first use; the caller must not close it. */
    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement ps = prepared.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            prepared.put(sql, ps);
        }
        return ps;
    }

    /**
     * Forgets the kept statements, closing them, so that each is prepared again at its next use.
     * Called after any failed statement: the driver finalizes a statement whose step failed (a
     * read-only or full database, an I/O error, a lock held too long), and a statement kept from
     * then on would fail every later call with "statement is not executing", long after the
     * database works again.
     */
    void forget() {
        for (PreparedStatement ps : prepared.values()) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // finalized already, or the connection is gone: either way it is not used again
            }
        }
        prepared.clear();
    }

    /** Closes the statements and the connection, collecting failures. */
    void close(List<Throwable> failures) {
        for (PreparedStatement ps : prepared.values()) {
            try {
                ps.close();
            } catch (SQLException e) {
                failures.add(e);
            }
        }
        prepared.clear();
        SqliteDatabase.closeQuietly(connection, failures);
    }

    /** Reads one row of a result into a value. */
    @FunctionalInterface
    interface Row<T> {
        T read(java.sql.ResultSet rs) throws SQLException;
    }

    /** Every row the query returns, read by {@code row}, in order. */
    static <T> List<T> all(PreparedStatement ps, Row<T> row) throws SQLException {
        List<T> out = new java.util.ArrayList<>();
        try (java.sql.ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(row.read(rs));
            }
        }
        return List.copyOf(out);
    }

    /** One row of a multi-row write: added to the batch where the dialect batches, else written now. */
    static void addOrRun(PreparedStatement ps, boolean batches) throws SQLException {
        if (batches) {
            ps.addBatch();
        } else {
            ps.executeUpdate();
        }
    }

    /** Sends the batch of a multi-row write, where the dialect batches. */
    static void finish(PreparedStatement ps, boolean batches) throws SQLException {
        if (batches) {
            ps.executeBatch();
        }
    }
}
