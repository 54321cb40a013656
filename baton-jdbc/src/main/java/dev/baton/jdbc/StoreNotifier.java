package dev.baton.jdbc;

import dev.baton.durable.RunNotifier;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A notifier that wakes this process's subscribers at once and learns of other processes' writes
 * from the database, by a thread started with the first subscription ({@link #start()}).
 */
abstract class StoreNotifier implements RunNotifier {
    private final RunNotifier local = RunNotifier.inProcess();
    /** Subscriptions per run id followed here. */
    private final Map<String, Integer> followed = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    volatile boolean closed;

    @Override
    public void publish(String runId) {
        local.publish(runId);
    }

    @Override
    public Subscription subscribe(String runId, Runnable onChange) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(onChange, "onChange");
        followed.merge(runId, 1, Integer::sum);
        Subscription subscription = local.subscribe(runId, onChange);
        if (!closed && started.compareAndSet(false, true)) {
            start();
        }
        // Every subscriber, not only the one that started the thread, reads only once news would reach it.
        if (started.get()) {
            awaitStarted();
        }
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                subscription.close();
                followed.computeIfPresent(runId, (id, n) -> n == 1 ? null : n - 1);
            }
        };
    }

    /** The run ids someone here follows now. */
    List<String> followed() {
        return List.copyOf(followed.keySet());
    }

    /** Wakes every subscriber here: changes may have been missed (the listening connection was lost). */
    void wakeAll() {
        for (String runId : followed()) {
            local.publish(runId);
        }
    }

    /** Starts the thread that follows other processes' writes. */
    abstract void start();

    /**
     * Returns once a change committed after it returns is sure to be noticed (or the first attempt
     * to follow other processes' writes failed).
     */
    void awaitStarted() {}

    /** Stops that thread, if it was started. */
    abstract void stop();

    @Override
    public void close() {
        closed = true;
        if (started.get()) {
            stop();
        }
        local.close();
    }

    static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }
}
