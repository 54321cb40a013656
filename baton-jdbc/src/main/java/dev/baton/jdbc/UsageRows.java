package dev.baton.jdbc;

import dev.baton.durable.internal.JournalCodec;
import dev.baton.model.Usage;
import dev.baton.session.TurnUsage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The {@code session_usage} table, the same in SQLite and PostgreSQL: one row per run on a
 * session, replaced when the run is recorded again (its place kept), read oldest first.
 */
final class UsageRows {
    static final String UPSERT = """
            INSERT INTO session_usage (session_id, run_id, usage, recorded_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (session_id, run_id) DO UPDATE SET usage = excluded.usage, recorded_at = excluded.recorded_at""";
    private static final String SELECT =
            "SELECT run_id, usage, recorded_at FROM session_usage WHERE session_id = ? ORDER BY seq";

    private UsageRows() {}

    /** Records with {@code upsert}, the statement of {@link #UPSERT} prepared by the caller (and kept open). */
    static void record(PreparedStatement upsert, String sessionId, String runId, Usage usage, Instant at) throws SQLException {
        upsert.setString(1, sessionId);
        upsert.setString(2, runId);
        upsert.setString(3, JournalCodec.usage(usage));
        upsert.setLong(4, at.toEpochMilli());
        upsert.executeUpdate();
    }

    /**
     * The session's usage per turn.
     *
     * @param corrupt the store's error for a row whose usage does not decode, given its description
     */
    static List<TurnUsage> read(Connection c, String sessionId, Function<String, StoreException> corrupt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setString(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                List<TurnUsage> out = new ArrayList<>();
                while (rs.next()) {
                    String runId = rs.getString(1);
                    try {
                        out.add(new TurnUsage(runId, JournalCodec.usage(rs.getString(2)), Instant.ofEpochMilli(rs.getLong(3))));
                    } catch (IllegalArgumentException e) {
                        throw corrupt.apply("a corrupted row in table session_usage for run '" + runId + "' of session '"
                                + sessionId + "': column usage does not decode: " + e.getMessage());
                    }
                }
                return out;
            }
        }
    }
}
