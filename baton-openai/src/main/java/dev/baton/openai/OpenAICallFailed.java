package dev.baton.openai;

import org.jspecify.annotations.Nullable;

/**
 * A call to an OpenAI (or OpenAI-compatible) endpoint failed after the SDK's retries. The runner
 * reports it as the cause of a {@link dev.baton.ModelCallFailed}. Messages never contain the API key.
 */
public class OpenAICallFailed extends RuntimeException {
    public OpenAICallFailed(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
