package dev.baton.openai;

import com.openai.errors.OpenAIServiceException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Retries a non-streamed call whose connection dropped while the answer was being read. The SDK
 * retries 429s, 5xx and failures to connect, but a connection reset mid-body surfaces as a read
 * error it does not retry; it is the same kind of fault, so it gets the same treatment: up to
 * {@code maxRetries} more attempts with exponential backoff and jitter. Nothing was delivered to
 * the caller yet, so repeating the call is safe.
 */
final class ConnectionRetry {
    private static final long BASE_DELAY_MS = 200;
    private static final long MAX_DELAY_MS = 8_000;

    private ConnectionRetry() {}

    static <T> T call(int maxRetries, Supplier<T> call) {
        for (int attempt = 0; ; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (attempt >= maxRetries || !droppedConnection(e) || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                pause(attempt);
            }
        }
    }

    /** A read that failed at the transport level (reset, unexpected end of stream), not a timeout or an HTTP error. */
    static boolean droppedConnection(Throwable e) {
        if (e instanceof OpenAIServiceException) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedIOException || t instanceof com.fasterxml.jackson.core.JacksonException) {
                return false; // timeouts are reported as such, and a malformed answer is not a dropped connection
            }
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static void pause(int attempt) {
        long cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS << Math.min(attempt, 10));
        long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpenAICallFailed("OpenAI call interrupted while waiting to retry", e);
        }
    }
}
