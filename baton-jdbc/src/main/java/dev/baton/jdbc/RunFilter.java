package dev.baton.jdbc;

import dev.baton.durable.RunQuery;
import dev.baton.durable.RunStatus;
import dev.baton.durable.internal.JournalCodec;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The {@code WHERE} clause of {@code listRuns} for a {@link RunQuery}, the same in SQLite and
 * PostgreSQL: one condition for each filter that is set, and the parameters to bind for them, in
 * order.
 */
record RunFilter(RunQuery query, List<RunStatus> statuses) {

    static RunFilter of(RunQuery query) {
        return new RunFilter(query, query.statuses().stream().sorted().toList());
    }

    /** {@code insertionOrder}: the dialect's column of insertion order, which breaks ties of {@code created_at}. */
    String where(String insertionOrder) {
        StringBuilder where = new StringBuilder("1 = 1");
        if (query.application() != null) {
            where.append(" AND application = ?");
        }
        if (!statuses.isEmpty()) {
            where.append(" AND status IN (").append(String.join(", ", java.util.Collections.nCopies(statuses.size(), "?")))
                    .append(')');
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
        if (query.text() != null) {
            where.append(" AND (LOWER(input) LIKE LOWER(?) ESCAPE '\\' OR LOWER(final_output) LIKE LOWER(?) ESCAPE '\\')");
        }
        if (query.afterRun() != null) {
            // Older than the cursor run in the list's order (created_at, then insertion): none if it does not exist.
            String cursor = "(SELECT %s FROM runs WHERE id = ?)";
            where.append(" AND (created_at < ").append(cursor.formatted("created_at"))
                    .append(" OR (created_at = ").append(cursor.formatted("created_at"))
                    .append(" AND ").append(insertionOrder).append(" < ").append(cursor.formatted(insertionOrder)).append("))");
        }
        return where.toString();
    }

    /** Binds the parameters of {@link #where(String)} from {@code from} on; returns the index after the last. */
    int bind(PreparedStatement ps, int from) throws SQLException {
        int i = from;
        if (query.application() != null) {
            ps.setString(i++, query.application());
        }
        for (RunStatus status : statuses) {
            ps.setString(i++, status.name());
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
        if (query.text() != null) {
            String pattern = "%" + likeEscaped(JournalCodec.inJsonString(query.text())) + "%";
            ps.setString(i++, pattern);
            ps.setString(i++, pattern);
        }
        if (query.afterRun() != null) {
            for (int k = 0; k < 3; k++) {
                ps.setString(i++, query.afterRun());
            }
        }
        return i;
    }

    /** The text as a literal in a {@code LIKE ... ESCAPE '\'} pattern: the escape character, {@code %} and {@code _} escaped. */
    static String likeEscaped(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
