package dev.baton.openai;

import org.jspecify.annotations.Nullable;

/**
 * A call to an OpenAI (or OpenAI-compatible) endpoint failed, after the retries where the failure
 * may pass. The message names the cause: {@code connection refused to 127.0.0.1:9 (is the server
 * at ... running?)}, an unknown host, a TLS failure. The runner reports it as the cause of a
 * {@link dev.baton.ModelCallFailed}. Messages never contain the API key.
 */
public class OpenAICallFailed extends RuntimeException {
    private final boolean retryable;

    public OpenAICallFailed(String message, @Nullable Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    /**
     * Whether the same call may succeed later: a refused or dropped connection, a timeout, a rate
     * limit or a server error; not an unknown host, a TLS failure or a request the endpoint rejects.
     */
    public boolean retryable() {
        return retryable;
    }
}
