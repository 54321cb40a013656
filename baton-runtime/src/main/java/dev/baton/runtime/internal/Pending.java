package dev.baton.runtime.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Not API. Counts the messages queued or being handled, so the runtime can wait until there are
 * none. A handler's own messages are counted before its message is done, so a cascade of messages
 * keeps the count above zero until its end.
 */
public final class Pending {

    private final AtomicLong count = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();

    /** One more message queued. */
    public void add() {
        count.incrementAndGet();
    }

    /** One message handled or given up. */
    public void done() {
        if (count.decrementAndGet() == 0) {
            lock.lock();
            try {
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** How many messages are queued or being handled. */
    public long count() {
        return count.get();
    }

    /**
     * Returns when no message is queued or being handled.
     *
     * @throws CancellationException if the waiting thread is interrupted (its flag is set again)
     */
    public void awaitNone() {
        lock.lock();
        try {
            while (count.get() > 0) {
                idle.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the runtime to be idle");
        } finally {
            lock.unlock();
        }
    }
}
