package dev.baton.run;

import org.jspecify.annotations.Nullable;

/** Stops a run: sets a flag the loop checks before each model and tool call, and interrupts the run's thread. */
final class Cancellation {
    private volatile boolean cancelled;
    private volatile @Nullable Thread thread;

    void bind(Thread runThread) {
        this.thread = runThread;
        if (cancelled) {
            runThread.interrupt();
        }
    }

    void cancel() {
        cancelled = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    boolean isCancelled() {
        return cancelled;
    }
}
