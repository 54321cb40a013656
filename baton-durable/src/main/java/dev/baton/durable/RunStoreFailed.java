package dev.baton.durable;

import dev.baton.BatonException;

/**
 * The run store failed while a durable run was recording an effect, an event or its outcome.
 * Nothing recorded before is lost: the run stays resumable in the store, and
 * {@link DurableWorker#resumeIncomplete()} continues it once the store is reachable again.
 */
public final class RunStoreFailed extends BatonException {
    public RunStoreFailed(String message, Throwable cause) {
        super(message, cause);
    }
}
