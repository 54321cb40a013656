package dev.baton.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * News of runs through PostgreSQL's {@code LISTEN}/{@code NOTIFY}: the run store notifies channel
 * {@value #CHANNEL} with the run id in the transaction that writes a run's events or status (so
 * the news is sent when, and only if, the write commits), and one connection per store listens on a
 * thread of its own, started by the first subscription. When that connection is lost, every
 * subscriber is woken once it listens again, since news may have been missed meanwhile.
 */
final class PostgresNotifier extends StoreNotifier {
    private static final Logger log = LoggerFactory.getLogger(PostgresNotifier.class);

    static final String CHANNEL = "baton_runs";
    private static final String NOTIFY = "SELECT pg_notify('" + CHANNEL + "', ?)";
    /** How long the listener blocks for news before it looks whether the notifier was closed. */
    private static final int WAIT_MILLIS = 250;

    private final PostgresDatabase database;
    private final CountDownLatch firstAttempt = new CountDownLatch(1);
    private volatile Thread listener;

    PostgresNotifier(PostgresDatabase database) {
        this.database = database;
    }

    /** Announces, in the transaction on {@code c}, that these runs changed. */
    static void notify(Connection c, Collection<String> runIds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(NOTIFY)) {
            for (String runId : new LinkedHashSet<>(runIds)) {
                ps.setString(1, runId);
                ps.executeQuery().close();
            }
        }
    }

    @Override
    void start() {
        Thread t = daemon("baton-run-notifier-" + database.url(), this::listen);
        listener = t;
        t.start();
    }

    @Override
    void awaitStarted() {
        try {
            // Subscribers read after subscribing: LISTEN must be in place first, or a change between is missed.
            firstAttempt.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void listen() {
        boolean lost = false;
        while (!closed) {
            Connection c = null;
            try {
                c = database.connectionToListen();
                PGConnection pg = c.unwrap(PGConnection.class);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                firstAttempt.countDown();
                if (lost) {
                    log.info("{}: listening for news of runs again", database.store());
                    wakeAll();
                    lost = false;
                }
                while (!closed) {
                    PGNotification[] news = pg.getNotifications(WAIT_MILLIS);
                    if (news != null) {
                        for (PGNotification n : news) {
                            if (CHANNEL.equals(n.getName())) {
                                publish(n.getParameter());
                            }
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                firstAttempt.countDown();
                if (closed) {
                    return;
                }
                if (!lost) {
                    log.warn("{}: listening for news of runs failed, readers poll until it listens again: {}",
                            database.store(), PostgresDatabase.describe(e));
                }
                lost = true;
                wakeAll();
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            } finally {
                if (c != null) {
                    release(c);
                }
            }
        }
    }

    /** Gives the connection back without the LISTEN, so no pooled connection collects news nobody reads. */
    private static void release(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("UNLISTEN *");
        } catch (SQLException | RuntimeException ignored) {
            // a broken connection: the pool discards it
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // already gone
        }
    }

    @Override
    void stop() {
        Thread t = listener;
        if (t != null) {
            try {
                t.join(WAIT_MILLIS * 8L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
