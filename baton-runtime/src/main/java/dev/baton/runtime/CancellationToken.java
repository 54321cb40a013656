package dev.baton.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Tells a handler that nobody waits for its work any more: the sender cancelled the future of a
 * {@link AgentRuntime#send send}, or the runtime is {@link AgentRuntime#stop stopping}. A long
 * handler checks {@link #isCancelled()} or registers a callback with {@link #onCancel}.
 */
public final class CancellationToken {

    private boolean cancelled;
    private List<Runnable> callbacks = List.of();

    /** A token not yet cancelled. */
    public CancellationToken() {}

    /** Cancels the token and runs its callbacks once; later calls do nothing. */
    public void cancel() {
        List<Runnable> toRun;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            toRun = callbacks;
            callbacks = List.of();
        }
        toRun.forEach(Runnable::run);
    }

    /** Whether {@link #cancel()} was called. */
    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /** Runs {@code callback} when the token is cancelled, at once if it already is. */
    public void onCancel(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        synchronized (this) {
            if (!cancelled) {
                if (callbacks.isEmpty()) {
                    callbacks = new ArrayList<>(2);
                }
                callbacks.add(callback);
                return;
            }
        }
        callback.run();
    }
}
