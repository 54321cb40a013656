package dev.baton.durable;

import dev.baton.RunCancelled;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reader's wait for news of one run: subscribed to the store's notifier before the reader reads
 * again, so a change made after it is never missed. The reader notes {@link #version()}, reads,
 * and waits with {@link #await} for a later version.
 */
final class RunWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunWatch.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long version;
    private final RunNotifier.@Nullable Subscription subscription;

    RunWatch(RunNotifier notifier, String runId) {
        RunNotifier.Subscription s = null;
        try {
            s = notifier.subscribe(runId, this::ring);
        } catch (RuntimeException e) {
            // The wait still ends at the runner's poll interval: slower news, none lost.
            log.debug("run {}: subscribing to its changes failed; polling instead: {}", runId, e.toString());
        }
        this.subscription = s;
    }

    long version() {
        lock.lock();
        try {
            return version;
        } finally {
            lock.unlock();
        }
    }

    private void ring() {
        lock.lock();
        try {
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a change after {@code seen} is announced, at most {@code nanos}. */
    void await(long seen, long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (version == seen && left > 0) {
                left = changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunCancelled("Interrupted while waiting for a durable run");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
    }
}
