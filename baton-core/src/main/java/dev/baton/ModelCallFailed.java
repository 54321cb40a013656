package dev.baton;

/**
 * A model call threw. The cause is the provider's own error; the run's items so far are kept
 * as for every {@link BatonException}.
 */
public final class ModelCallFailed extends BatonException {
    public ModelCallFailed(String message, Throwable cause) {
        super(message, cause);
    }
}
