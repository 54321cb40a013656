package dev.baton.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Copies a SQLite file's write-ahead log back into the database on a thread of its own, so that
 * the writer thread never does it. By default SQLite checkpoints inside the commit that makes the
 * log long, which is the one place it costs the most: the group commit's writer is what bounds a
 * busy store, and a checkpoint there means an {@code fsync} and a page copy while every caller
 * waits. Here the writer's connection has automatic checkpoints off and only counts its commits;
 * every {@value #INTERVAL_MS} ms this thread, on a connection of its own, runs a passive
 * checkpoint if anything was committed since the last one. A passive checkpoint never blocks
 * writers or readers, as SQLite's automatic one does not; it fails quietly when it cannot run
 * (the next one tries again), and closing the file's last connection checkpoints what is left.
 */
final class SqliteCheckpoints {
    static final long INTERVAL_MS = 100;

    private final Connection connection;
    private final Thread thread;
    private volatile long commits;
    private volatile boolean stopped;

    /**
     * Starts checkpointing with {@code connection} (its own, to the same file) for the writes of
     * {@code writer}, whose automatic checkpoints it turns off.
     */
    SqliteCheckpoints(String database, Connection writer, Connection connection) throws SQLException {
        this.connection = connection;
        SqliteDatabase.execute(writer, "PRAGMA wal_autocheckpoint = 0");
        this.thread = Thread.ofPlatform().daemon().name("baton-sqlite-checkpoints " + database).unstarted(this::loop);
        thread.start();
    }

    /** Called by the writer thread after each commit; costs a volatile write. */
    void committed() {
        commits++; // one writer thread: no lost updates
    }

    private void loop() {
        long checkpointed = 0;
        while (!stopped) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS));
            long now = commits;
            if (now != checkpointed && !stopped) {
                checkpointed = now;
                try {
                    SqliteDatabase.execute(connection, "PRAGMA wal_checkpoint(PASSIVE)");
                } catch (SQLException e) {
                    // busy or failing for now: the log keeps the writes, the next round tries again
                }
            }
        }
    }

    /** Stops the thread, after the checkpoint it may be running, and closes its connection. */
    void close(List<Throwable> failures) {
        stopped = true;
        LockSupport.unpark(thread);
        SqliteGroupCommit.joinUninterruptibly(thread);
        SqliteDatabase.closeQuietly(connection, failures);
    }
}
