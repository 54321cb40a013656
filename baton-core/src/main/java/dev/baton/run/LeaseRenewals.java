package dev.baton.run;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * When each held session's lease is next renewed, kept by one timer thread for the whole JVM.
 *
 * <p>Most runs end long before their first renewal, so adding and removing a renewal must cost
 * next to nothing: a map entry, and no signal to another thread. The timer sleeps until the
 * earliest renewal it knows of, and while none is due it still wakes every {@link #IDLE_TICK} at
 * most. A renewal added after that needs no signal as long as it falls due after the timer's next
 * wake-up, which is the case for every lease of the usual length; only a renewal due earlier (a
 * lease shorter than the others) wakes the timer. A scheduled executor, by contrast, signals its
 * thread for each task put at the head of its queue and again when it is cancelled: on a busy
 * machine those two wake-ups per run were a tenth of the in-process runtime's CPU.
 *
 * <p>A due renewal runs on a virtual thread of its own, and the timer thread never calls a store.
 */
final class LeaseRenewals {

    /** The longest the timer sleeps with nothing due: how late a renewal of a new, short lease may come at worst is bounded by its period. */
    private static final long IDLE_TICK = TimeUnit.SECONDS.toNanos(1);

    /** What to do when a renewal falls due. */
    interface Due {
        void renew();
    }

    private final Map<Due, Long> due = new ConcurrentHashMap<>();
    private final Thread timer;
    /** When the timer wakes next (System.nanoTime); a renewal due before it must wake it. */
    private volatile long wakeAt;

    LeaseRenewals(String name) {
        this.wakeAt = System.nanoTime() + IDLE_TICK;
        this.timer = Thread.ofPlatform().daemon().name(name).unstarted(this::run);
        timer.start();
    }

    /** Calls {@code renewal} once, about {@code periodNanos} from now, unless {@link #cancel} comes first. */
    void schedule(Due renewal, long periodNanos) {
        long at = System.nanoTime() + periodNanos;
        due.put(renewal, at);
        if (at - wakeAt < 0) { // due before the timer's next wake-up: wake it to sleep less
            LockSupport.unpark(timer);
        }
    }

    /** Forgets {@code renewal} if it is not yet due. */
    void cancel(Due renewal) {
        due.remove(renewal);
    }

    private void run() {
        while (true) {
            long now = System.nanoTime();
            long next = now + IDLE_TICK;
            for (Map.Entry<Due, Long> e : due.entrySet()) {
                long at = e.getValue();
                if (at - now <= 0) {
                    if (due.remove(e.getKey(), at)) {
                        Due renewal = e.getKey();
                        Thread.ofVirtual().name("baton-session-lease-renewal").start(renewal::renew);
                    }
                } else if (at - next < 0) {
                    next = at;
                }
            }
            wakeAt = next;
            // A renewal added between the scan and the line above saw the old wake-up time and may not have woken this
            // thread: look once more before sleeping.
            for (long at : due.values()) {
                if (at - next < 0) {
                    next = at;
                }
            }
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(this, sleep);
            }
        }
    }
}
