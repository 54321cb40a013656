package dev.baton.runtime.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Not API. The queue of one agent instance: work posted to it runs one item at a time, in the
 * order posted, on a virtual thread that exists only while there is work. An idle mailbox is a
 * queue and a flag, so many thousands of instances cost no threads.
 */
public final class Mailbox {

    private static final ThreadFactory THREADS = Thread.ofVirtual().name("baton-agent-", 0).factory();

    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    /** Queues {@code work}; it must not throw. */
    public void post(Runnable work) {
        queue.add(work);
        if (draining.compareAndSet(false, true)) {
            THREADS.newThread(this::drain).start();
        }
    }

    private void drain() {
        do {
            Runnable work;
            while ((work = queue.poll()) != null) {
                work.run();
            }
            draining.set(false);
            // Work posted after the last poll but before the flag was cleared started no thread.
        } while (!queue.isEmpty() && draining.compareAndSet(false, true));
    }
}
