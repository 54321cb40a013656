package dev.baton.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The writes of one store to one SQLite file, committed in groups. Callers queue a write and
 * block until it is committed; one writer thread, alone on the write connection, takes every
 * write queued so far and commits them in one transaction. Under load a commit carries many
 * writes, so throughput is bound by the statements, not by the per-transaction cost.
 *
 * <p>A write that throws is rolled back with its group; it fails with its own error and the rest
 * of the group is committed again without it, so one bad write never fails unrelated callers.
 * When the group cannot be begun or committed (another process held the file longer than the
 * busy timeout, a full disk), every write in it fails with that error. A failure leaves nothing
 * behind: the statements kept on the write connection are prepared again, so writes succeed as
 * soon as the database does (a read-only or full file made writable again). After {@link #close()},
 * writes fail at once and writes still queued are released with an error.
 *
 * <p>Transactions are begun {@code IMMEDIATE}, so the file's write lock is taken before the first
 * statement and two processes never deadlock upgrading a read lock.
 */
final class SqliteGroupCommit {

    private static final class Pending<T> {
        final String store;
        final String what;
        final String subject;
        final Dialect.Work<T> work;
        final CompletableFuture<T> done = new CompletableFuture<>();
        @Nullable T result;

        Pending(String store, String what, String subject, Dialect.Work<T> work) {
            this.store = store;
            this.what = what;
            this.subject = subject;
            this.work = work;
        }

        void run(Statements connection) throws SQLException {
            result = work.apply(connection);
        }

        void complete() {
            done.complete(result);
        }
    }

    private static final Pending<Void> STOP = new Pending<>("", "stop", "", c -> null);

    private final String database;
    private final String store;
    private final Statements writer;
    private final int maxBatch;
    private final LinkedBlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final @Nullable SqliteCheckpoints checkpoints;

    /**
     * Starts the writer thread.
     *
     * @param database the database as errors report it
     * @param store how messages name the store, for example {@code "SQLite run store /var/baton.db"}
     * @param checkpoints a connection of its own for {@link SqliteCheckpoints}, or null to leave
     *     checkpoints to SQLite (in the writer's commits)
     * @param maxBatch at most this many writes in one transaction
     */
    SqliteGroupCommit(String database, String store, Connection writer, @Nullable Connection checkpoints, int maxBatch) {
        this.database = database;
        this.store = store;
        this.writer = new Statements(writer);
        this.maxBatch = maxBatch;
        this.checkpoints = checkpoints == null ? null : startCheckpoints(database, writer, checkpoints);
        this.thread = Thread.ofPlatform().daemon().name("baton-sqlite-writer " + database).unstarted(this::drain);
        thread.start();
    }

    /**
     * Queues a write and waits until it is committed.
     *
     * @param what what the write does, for messages: "record an effect of"
     * @param subject what it is done to, for messages: "run 'r-1'"
     * @return what the write returned, once committed
     * @throws StoreException if the write failed, its group could not be committed, the store is
     *     closed, or the waiting thread was interrupted (the write may then still be committed)
     */
    <T> T write(String what, String subject, Dialect.Work<T> work) {
        return write(store, what, subject, work);
    }

    /**
     * Queues a write of another store sharing this file's writer and waits until it is committed,
     * as {@link #write(String, String, Dialect.Work)} does; messages name {@code store}. A
     * {@link dev.baton.SessionLeaseLost} thrown by the write (a fence that refused it) reaches the
     * caller as it is, after the write was rolled back.
     */
    <T> T write(String store, String what, String subject, Dialect.Work<T> work) {
        return write(store, what, subject, true, work);
    }

    /**
     * {@link #write(String, String, String, Dialect.Work)}, and with {@code interruptible} false the
     * caller waits for the commit even when interrupted (its interrupt status is kept): how
     * session writes keep the behaviour of a direct SQLite write, which an interrupt does not stop,
     * so that a run stopped by an interrupt still gives its session back.
     */
    <T> T write(String store, String what, String subject, boolean interruptible, Dialect.Work<T> work) {
        ensureOpen(store, what, subject);
        Pending<T> pending = new Pending<>(store, what, subject, work);
        queue.add(pending);
        if (closed.get() && queue.remove(pending)) { // close() may have drained the queue before this write came
            throw closedError(store, what, subject);
        }
        if (!interruptible) {
            return awaitUninterruptibly(pending);
        }
        try {
            return pending.done.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof dev.baton.SessionLeaseLost lost) {
                throw lost;
            }
            throw new StoreException(database, cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(database, "Interrupted while waiting for the " + store + " to " + what + " " + subject
                    + "; the write may still be committed", e);
        }
    }

    private <T> T awaitUninterruptibly(Pending<T> pending) {
        try {
            return Waits.uninterruptibly(pending.done); // the writer thread completes every queued write, or close() fails it
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof dev.baton.SessionLeaseLost lost) {
                throw lost;
            }
            throw new StoreException(database, cause.getMessage(), cause);
        }
    }

    void ensureOpen(String what, String subject) {
        ensureOpen(store, what, subject);
    }

    void ensureOpen(String store, String what, String subject) {
        if (closed.get()) {
            throw closedError(store, what, subject);
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    /**
     * Stops taking writes, lets the writer thread finish the group it is committing, fails the
     * writes still queued, and closes the write connection. Closing twice is harmless.
     */
    void close(List<Throwable> failures) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        queue.add(STOP);
        joinUninterruptibly(thread);
        Pending<?> left;
        while ((left = queue.poll()) != null) {
            if (left != STOP) {
                left.done.completeExceptionally(closedError(left.store, left.what, left.subject));
            }
        }
        if (checkpoints != null) {
            checkpoints.close(failures);
        }
        writer.close(failures);
    }

    /** Waits for {@code thread} to end even if interrupted meanwhile; the interrupt status is kept. */
    static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Checkpoints on a thread of their own; if the writer's automatic ones cannot be turned off, SQLite keeps them. */
    private static @Nullable SqliteCheckpoints startCheckpoints(String database, Connection writer, Connection connection) {
        try {
            return new SqliteCheckpoints(database, writer, connection);
        } catch (SQLException e) {
            SqliteDatabase.closeQuietly(connection, new ArrayList<>());
            return null;
        }
    }

    // --- the writer thread ------------------------------------------------------------------

    private void drain() {
        List<Pending<?>> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // only close() stops the writer, by queueing STOP
            }
            queue.drainTo(batch, maxBatch - 1);
            stop = batch.remove(STOP);
            if (closed.get()) { // writes not yet begun when the store closed are released, not committed
                for (Pending<?> p : batch) {
                    p.done.completeExceptionally(closedError(p.store, p.what, p.subject));
                }
                batch.clear();
                continue;
            }
            try {
                commit(batch);
            } catch (Throwable e) { // the writer must survive anything, or every caller would wait forever
                writer.forget();
                for (Pending<?> p : batch) {
                    p.done.completeExceptionally(failure(p, e));
                }
            }
            batch.clear();
        }
    }

    private void commit(List<Pending<?>> group) {
        List<Pending<?>> todo = group;
        while (!todo.isEmpty()) {
            try {
                SqliteDatabase.execute(writer.connection(), "BEGIN IMMEDIATE");
            } catch (SQLException | RuntimeException e) {
                resetTransaction();
                writer.forget();
                failAll(todo, e);
                return;
            }
            int failed = -1;
            Throwable failure = null;
            for (int i = 0; i < todo.size(); i++) {
                try {
                    todo.get(i).run(writer);
                } catch (SQLException | RuntimeException e) {
                    failed = i;
                    failure = e;
                    break;
                }
            }
            if (failure != null) {
                rollback(failure);
                writer.forget(); // the failed statement is finalized by the driver: prepare it again next time
                Pending<?> bad = todo.get(failed);
                bad.done.completeExceptionally(failure(bad, failure));
                List<Pending<?>> rest = new ArrayList<>(todo.size() - 1);
                for (Pending<?> p : todo) {
                    if (p != bad) {
                        rest.add(p);
                    }
                }
                todo = rest;
                continue;
            }
            try {
                SqliteDatabase.execute(writer.connection(), "COMMIT");
            } catch (SQLException | RuntimeException e) {
                rollback(e);
                writer.forget();
                failAll(todo, e);
                return;
            }
            if (checkpoints != null) {
                checkpoints.committed();
            }
            release(todo);
            return;
        }
    }

    /**
     * Wakes the callers of a committed group from a virtual thread rather than from this one.
     * Waking a waiting virtual thread schedules it on the carrier pool, and from a platform thread
     * each wake-up costs a signal to an idle carrier: done here, those signals would take a
     * quarter of the writer's time, which is what bounds a busy store. One hand-over costs one.
     */
    private static void release(List<Pending<?>> committed) {
        if (committed.size() == 1) {
            committed.get(0).complete();
            return;
        }
        Pending<?>[] group = committed.toArray(new Pending<?>[0]);
        Thread.ofVirtual().start(() -> {
            for (Pending<?> p : group) {
                p.complete();
            }
        });
    }

    /** Ends a transaction an earlier failed rollback may have left open; without one, nothing happens. */
    private void resetTransaction() {
        try {
            SqliteDatabase.execute(writer.connection(), "ROLLBACK");
        } catch (SQLException expected) {
            // "no transaction is active": the usual case
        }
    }

    private void rollback(Throwable cause) {
        try {
            SqliteDatabase.execute(writer.connection(), "ROLLBACK");
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private void failAll(List<Pending<?>> group, Throwable e) {
        for (Pending<?> p : group) {
            p.done.completeExceptionally(failure(p, e));
        }
    }

    private RuntimeException failure(Pending<?> p, Throwable e) {
        if (e instanceof StoreException || e instanceof dev.baton.SessionLeaseLost) {
            return (RuntimeException) e;
        }
        return new StoreException(database, "The " + p.store + " failed to " + p.what + " " + p.subject + ": "
                + SqliteDatabase.describe(e), e);
    }

    private StoreException closedError(String store, String what, String subject) {
        return new StoreException(database, "Cannot " + what + " " + subject + ": the " + store + " is closed", null);
    }
}
