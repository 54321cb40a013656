package dev.baton.model;

import java.util.function.Consumer;

/**
 * A language model that answers one request: the SPI every provider implements.
 *
 * <p>Calls block; the runner calls them on virtual threads and interrupts the thread when a run
 * is cancelled, so implementations should let {@link InterruptedException} (or an interrupted
 * I/O call) end the call. Errors are unchecked exceptions.
 */
public interface Model {

    /** Sends the request and returns the whole response. */
    ModelResponse respond(ModelRequest request);

    /**
     * Sends the request, reports output as it arrives, and returns the whole response, which
     * must hold exactly the items a {@link #respond} call would have returned. The default
     * streams nothing and answers with {@link #respond}.
     */
    default ModelResponse stream(ModelRequest request, Consumer<ModelStreamEvent> events) {
        return respond(request);
    }

    /**
     * Whether a failure this model threw may pass if the call is tried again later (a rate limit,
     * a server error, a lost connection), as opposed to one that will fail the same way (a bad API
     * key, a malformed request). The runner reports it as {@link dev.baton.ModelCallFailed#retryable()},
     * so a caller or a durable worker can decide to try the run again. The default says no.
     */
    default boolean retryable(RuntimeException failure) {
        return false;
    }
}
