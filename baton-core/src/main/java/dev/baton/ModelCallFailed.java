package dev.baton;

/**
 * A model call threw. The cause is the provider's own error; the run's items so far are kept
 * as for every {@link BatonException}. {@link #retryable()} says whether the provider judged
 * that the same call may succeed later.
 */
public final class ModelCallFailed extends BatonException {
    private final boolean retryable;

    public ModelCallFailed(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    /**
     * Whether the failure may pass on a later try (rate limit, server error, connection), as the
     * model that threw it says ({@link dev.baton.model.Model#retryable(RuntimeException)}); false
     * for failures that will repeat, and for models that do not say.
     */
    public boolean retryable() {
        return retryable;
    }
}
