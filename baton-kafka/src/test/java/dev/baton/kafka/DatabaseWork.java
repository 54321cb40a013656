package dev.baton.kafka;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * PostgreSQL's own counters of the measured database (transactions, rows written and read, per
 * table), so a measurement can say how much store work a session costs.
 */
record DatabaseWork(Map<String, Long> counters) {

    static DatabaseWork of(DataSource db) throws SQLException {
        Map<String, Long> c = new LinkedHashMap<>();
        try (Connection connection = db.getConnection(); Statement s = connection.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, "
                    + "tup_returned, tup_fetched FROM pg_stat_database WHERE datname = current_database()")) {
                r.next();
                for (String k : new String[] {"xact_commit", "xact_rollback", "tup_inserted", "tup_updated", "tup_deleted",
                        "tup_returned", "tup_fetched"}) {
                    c.put(k, r.getLong(k));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del, seq_scan, idx_scan "
                    + "FROM pg_stat_user_tables ORDER BY relname")) {
                while (r.next()) {
                    String t = r.getString(1);
                    c.put(t + ".ins", r.getLong(2));
                    c.put(t + ".upd", r.getLong(3));
                    c.put(t + ".del", r.getLong(4));
                    c.put(t + ".seq", r.getLong(5));
                    c.put(t + ".idx", r.getLong(6));
                }
            }
        }
        return new DatabaseWork(c);
    }

    /** Prints what changed since this reading, per session, and returns a new reading. */
    DatabaseWork report(DataSource db, int sessions) throws Exception {
        Thread.sleep(600); // the statistics collector reports about every half second
        DatabaseWork now = of(db);
        StringBuilder line = new StringBuilder("  database work per session:");
        now.counters.forEach((k, v) -> {
            long d = v - counters.getOrDefault(k, 0L);
            if (d != 0) {
                line.append(String.format(Locale.ROOT, " %s=%.1f", k, d / (double) sessions));
            }
        });
        System.out.println(line);
        return now;
    }
}
