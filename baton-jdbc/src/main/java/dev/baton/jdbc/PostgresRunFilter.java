package dev.baton.jdbc;

import dev.baton.durable.RunQuery;
import dev.baton.durable.RunStatus;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The {@code WHERE} clause of {@link PostgresRunStore#listRuns} for a {@link RunQuery}: one
 * condition for each filter that is set, and the parameters to bind for them, in order.
 */
record PostgresRunFilter(RunQuery query) {

    static PostgresRunFilter of(RunQuery query) {
        return new PostgresRunFilter(query);
    }

    String where() {
        StringBuilder where = new StringBuilder("TRUE");
        if (!query.statuses().isEmpty()) {
            where.append(" AND status = ANY (?)");
        }
        if (query.agent() != null) {
            where.append(" AND (start_agent = ? OR current_agent = ?)");
        }
        if (query.sessionId() != null) {
            where.append(" AND session_id = ?");
        }
        if (query.createdFrom() != null) {
            where.append(" AND created_at >= ?");
        }
        if (query.createdTo() != null) {
            where.append(" AND created_at < ?");
        }
        return where.toString();
    }

    /** Binds the parameters of {@link #where()} from {@code from} on; returns the index after the last. */
    int bind(Connection c, PreparedStatement ps, int from) throws SQLException {
        int i = from;
        if (!query.statuses().isEmpty()) {
            Array statuses = c.createArrayOf("text", query.statuses().stream().map(RunStatus::name).sorted().toArray());
            ps.setArray(i++, statuses);
        }
        if (query.agent() != null) {
            ps.setString(i++, query.agent());
            ps.setString(i++, query.agent());
        }
        if (query.sessionId() != null) {
            ps.setString(i++, query.sessionId());
        }
        if (query.createdFrom() != null) {
            RunRows.setInstant(ps, i++, query.createdFrom());
        }
        if (query.createdTo() != null) {
            RunRows.setInstant(ps, i++, query.createdTo());
        }
        return i;
    }
}
