package dev.baton.openai;

import java.time.Duration;

/** A call took longer than the configured timeout; Baton does not retry it, but a later try may succeed. */
public final class OpenAICallTimedOut extends OpenAICallFailed {
    private final Duration timeout;

    public OpenAICallTimedOut(Duration timeout, Throwable cause) {
        super("OpenAI call timed out (timeout " + timeout + ")", cause, true);
        this.timeout = timeout;
    }

    /** The configured per-call timeout. */
    public Duration timeout() {
        return timeout;
    }
}
