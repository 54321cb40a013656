package dev.baton.durable;

/**
 * Tells the readers of a durable run that it moved on (new events, a new status), so a
 * {@link RunHandle} or an {@link EventStream} waiting for it is woken instead of polling the store.
 * A {@link RunStore} gives its natural notifier with {@link RunStore#notifier()}: in-process for the
 * in-memory store, {@code LISTEN}/{@code NOTIFY} for PostgreSQL, a short poll of the file for SQLite.
 *
 * <p>A wake-up is a hint, never a value: a subscriber re-reads the store when called. Spurious
 * calls are allowed; a change made after {@link #subscribe} returned is never missed (a reader
 * subscribes first, then reads, then waits). Implementations are thread-safe.
 */
public interface RunNotifier extends AutoCloseable {

    /**
     * Wakes, at once, the subscribers of {@code runId} in this process. Whoever changes a run here
     * calls it after the store has the change; a notifier that reaches other processes carries the
     * store's writes to them by itself.
     */
    void publish(String runId);

    /**
     * Calls {@code onChange} each time {@code runId} may have changed, until the subscription is
     * closed. {@code onChange} runs on the publisher's or the notifier's thread: it must be quick
     * and must not block (signal a waiting thread, nothing more).
     */
    Subscription subscribe(String runId, Runnable onChange);

    /** Stops the notifier's threads and connections, if it has any; subscribers are no longer called. */
    @Override
    void close();

    /** A notifier that wakes subscribers in this process only: for a store that is not shared by other processes. */
    static RunNotifier inProcess() {
        return new InProcessRunNotifier();
    }

    /** A subscription to one run's changes; closing it (twice is harmless) stops the calls. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
