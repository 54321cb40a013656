package dev.baton.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes of one kind from many callers, sent to PostgreSQL together as one statement. Each write
 * costs PostgreSQL (and this process) a round trip, and on a busy machine the round trips, not the
 * rows, are what bound a store shared by many turns; a statement that takes the rows of every
 * write waiting at one moment as arrays costs one.
 *
 * <p>Callers queue a write and wait for its result. One drainer at a time (a virtual thread,
 * started when a write arrives and none is running) takes every write queued so far and runs
 * them with {@link Kind#all}; writes that came meanwhile form the next batch. A lone write goes at
 * once, so an idle store adds no delay. Writes with equal {@linkplain Kind#key keys} never share a
 * statement (PostgreSQL refuses to change one row twice in one statement) and keep their order.
 *
 * <p>When the batch's statement fails, each of its writes is tried again alone with
 * {@link Kind#one}, so one bad write fails only its own caller, with the message it would have had
 * alone. A unique violation (a replayed write's rows, decision 62) first gets the batch sent once
 * more, skipping the rows that exist. A waiting caller is not stopped by an interrupt (its status is kept): the write may be in
 * flight, and the caller learns its outcome, as with a write made on its own thread.
 *
 * @param <R> a write's request
 * @param <T> its result
 */
final class PostgresBatcher<R, T> {

    /** How the writes of one kind are sent. */
    interface Kind<R, T> {
        /**
         * Writes all of {@code requests} in one statement; their results in the same order. A row
         * that exists already (a replayed write's) may fail it with a unique violation.
         */
        List<T> all(Statements c, List<R> requests) throws SQLException;

        /**
         * {@link #all}, skipping rows that exist already ({@code ON CONFLICT}): how a batch that
         * failed with a unique violation is sent again (decision 62). Kinds whose batch statement
         * never fails that way need not override it.
         */
        default List<T> allSkippingExisting(Statements c, List<R> requests) throws SQLException {
            return all(c, requests);
        }

        /** Writes one request alone (a batch that failed is retried this way, one by one). */
        T one(Statements c, R request) throws SQLException;

        /** Requests with equal keys are sent in different statements, in the order they came. */
        Object key(R request);
    }

    private static final int MAX_BATCH = 256;

    private final class Pending {
        final R request;
        final String what;
        final String subject;
        final CompletableFuture<T> done = new CompletableFuture<>();

        Pending(R request, String what, String subject) {
            this.request = request;
            this.what = what;
            this.subject = subject;
        }
    }

    private final PostgresDatabase database;
    private final Kind<R, T> kind;
    private final String name;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Writes held back from a batch because an earlier one had their key; touched only by the drainer. */
    private final List<Pending> heldBack = new ArrayList<>();
    private volatile int largestBatch;
    /** Writes of failed batches that were then sent alone. */
    private final java.util.concurrent.atomic.AtomicInteger sentAlone = new java.util.concurrent.atomic.AtomicInteger();
    /** Batches sent again skipping existing rows after a unique violation. */
    private final java.util.concurrent.atomic.AtomicInteger resentSkipping = new java.util.concurrent.atomic.AtomicInteger();

    /** @param name the drainer thread's name, for thread dumps: "record effects" */
    PostgresBatcher(PostgresDatabase database, String name, Kind<R, T> kind) {
        this.database = database;
        this.kind = kind;
        this.name = name;
    }

    /**
     * Queues {@code request} and waits until it is written.
     *
     * @param what what the write does, for messages: "record effect 'k' of"
     * @param subject what it is done to, for messages: "run 'r-1'"
     * @throws StoreException if it failed, naming the store, {@code what} and {@code subject}
     */
    T write(String what, String subject, R request) {
        if (database.isClosed()) {
            throw new StoreException(database.url(), "Cannot " + what + " " + subject + ": " + database.store() + " is closed",
                    null);
        }
        Pending pending = new Pending(request, what, subject);
        queue.add(pending);
        if (draining.compareAndSet(false, true)) {
            Thread.ofVirtual().name("baton-postgres " + name).start(this::drain);
        }
        return await(pending);
    }

    private T await(Pending pending) {
        try {
            return Waits.uninterruptibly(pending.done);
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    // --- the drainer --------------------------------------------------------------------------

    private void drain() {
        while (true) {
            List<Pending> batch = nextBatch();
            if (batch.isEmpty()) {
                draining.set(false);
                // a write queued after the batch was taken and before the flag fell finds the flag still up: take it here
                if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            try {
                send(batch);
            } catch (Throwable e) { // the drainer must answer every write, or its caller would wait forever
                for (Pending p : batch) {
                    p.done.completeExceptionally(failure(p, e));
                }
            }
        }
    }

    /** The writes held back first, then those queued, up to the limit, one per key; the rest are held back. */
    private List<Pending> nextBatch() {
        List<Pending> candidates = new ArrayList<>(heldBack);
        heldBack.clear();
        Pending p;
        while (candidates.size() < MAX_BATCH * 2 && (p = queue.poll()) != null) {
            candidates.add(p);
        }
        List<Pending> batch = new ArrayList<>(Math.min(candidates.size(), MAX_BATCH));
        Set<Object> keys = new HashSet<>();
        for (Pending c : candidates) {
            if (batch.size() < MAX_BATCH && keys.add(kind.key(c.request))) {
                batch.add(c);
            } else {
                heldBack.add(c);
            }
        }
        return batch;
    }

    /**
     * Runs {@code ps}, whose first column names the rows it wrote ({@code RETURNING id}), and says for each of
     * {@code keys}, in order, whether it was named: which writes of a batch were made (the others were fenced out).
     */
    static List<Boolean> named(PreparedStatement ps, List<String> keys) throws SQLException {
        Set<String> returned = new HashSet<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                returned.add(rs.getString(1));
            }
        }
        List<Boolean> out = new ArrayList<>(keys.size());
        for (String key : keys) {
            out.add(returned.contains(key));
        }
        return out;
    }

    /** Whether {@code e} or a cause of it is PostgreSQL's unique violation (SQLSTATE 23505). */
    static boolean uniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** {@code sql} with {@code from} replaced by {@code to}; fails at once if {@code from} is not in it. */
    static String changed(String sql, String from, String to) {
        if (!sql.contains(from)) {
            throw new IllegalStateException("'" + from + "' is not in: " + sql);
        }
        return sql.replace(from, to);
    }

    /** The most writes one statement carried so far. */
    int largestBatch() {
        return largestBatch;
    }

    /** How many writes were sent alone because their batch failed: how tests see which way a batch recovered. */
    int sentAlone() {
        return sentAlone.get();
    }

    /** How many batches were sent again, skipping the rows that existed, after a unique violation. */
    int resentSkipping() {
        return resentSkipping.get();
    }

    private void send(List<Pending> batch) {
        if (batch.size() > largestBatch) {
            largestBatch = batch.size();
        }
        if (batch.size() > 1) {
            List<R> requests = new ArrayList<>(batch.size());
            for (Pending p : batch) {
                requests.add(p.request);
            }
            List<T> results;
            try {
                results = database.autoCommit(c -> run(c, s -> kind.all(s, requests)));
            } catch (SQLException | RuntimeException e) {
                results = null; // each is tried alone below, and fails with its own message if it fails again
                if (uniqueViolation(e)) { // a replayed write among them: once more, skipping what exists
                    resentSkipping.incrementAndGet();
                    try {
                        results = database.autoCommit(c -> run(c, s -> kind.allSkippingExisting(s, requests)));
                    } catch (SQLException | RuntimeException again) {
                        results = null;
                    }
                }
            }
            if (results != null) {
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).done.complete(results.get(i));
                }
                return;
            }
        }
        if (batch.size() > 1) {
            sentAlone.addAndGet(batch.size());
        }
        for (Pending p : batch) {
            try {
                p.done.complete(database.autoCommit(c -> run(c, s -> kind.one(s, p.request))));
            } catch (SQLException | RuntimeException e) {
                p.done.completeExceptionally(failure(p, e));
            }
        }
    }

    private interface Call<T> {
        T apply(Statements s) throws SQLException;
    }

    private static <T> T run(java.sql.Connection c, Call<T> call) throws SQLException {
        Statements statements = new Statements(c);
        try {
            return call.apply(statements);
        } finally {
            statements.forget();
        }
    }

    private RuntimeException failure(Pending p, Throwable e) {
        if (e instanceof StoreException se) {
            return se;
        }
        return new StoreException(database.url(), PostgresDatabase.capitalized(database.store()) + " failed to " + p.what
                + " " + p.subject + ": " + PostgresDatabase.describe(e), e);
    }
}
