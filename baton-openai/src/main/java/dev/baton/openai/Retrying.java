package dev.baton.openai;

import com.openai.errors.OpenAIServiceException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Baton's retries of a call to an OpenAI endpoint (the SDK's own are turned off, so that each one
 * can be seen): up to {@link OpenAISettings#maxRetries()} more attempts after a failure that may
 * pass, each announced by one WARN line such as {@code OpenAI call failed (connection refused to
 * 127.0.0.1:9); retry 1 of 2 in 0.5 s}.
 *
 * <p>Retried: HTTP 408, 409, 429 and 5xx (or what the server's {@code x-should-retry} header
 * says), a refused connection (a local server starting up) and a connection dropped before the
 * answer was read. The wait is the server's {@code Retry-After} when it sends one (up to a
 * minute), else 0.5 s doubling up to 8 s, with jitter. Not retried: an unknown host, a TLS
 * failure, a timeout (the timeout already bounds the call) and any other HTTP error; they are the
 * same on the next attempt. Nothing was delivered to the caller before a retry: a stream is
 * retried only while it is being opened.
 */
final class Retrying {
    private static final Logger LOG = LoggerFactory.getLogger(Retrying.class);
    private static final long BASE_DELAY_MS = 500;
    private static final long MAX_DELAY_MS = 8_000;
    private static final long MAX_RETRY_AFTER_MS = 60_000;

    private Retrying() {}

    static <T> T call(OpenAISettings settings, Supplier<T> call) {
        int max = settings.maxRetries();
        for (int attempt = 0; ; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                Fault fault = Fault.of(e, settings.baseUrl());
                if (attempt >= max || !fault.retryable() || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                long delay = fault.retryAfterMs() >= 0 ? fault.retryAfterMs() : backoff(attempt);
                LOG.warn("OpenAI call failed ({}); retry {} of {} in {} s", fault.summary(), attempt + 1, max,
                        String.format(Locale.ROOT, "%.1f", delay / 1000.0));
                pause(delay);
            }
        }
    }

    private static long backoff(int attempt) {
        long cap = Math.min(MAX_DELAY_MS, BASE_DELAY_MS << Math.min(attempt, 10));
        return cap - ThreadLocalRandom.current().nextLong(cap / 4 + 1);
    }

    /** The wait a 429 or 503 asks for ({@code retry-after-ms}, or {@code Retry-After} in seconds), -1 if none usable. */
    static long retryAfterMs(OpenAIServiceException e) {
        try {
            List<String> ms = e.headers().values("retry-after-ms");
            if (!ms.isEmpty()) {
                return clamp((long) Double.parseDouble(ms.get(0).strip()));
            }
            List<String> seconds = e.headers().values("retry-after");
            if (!seconds.isEmpty()) {
                return clamp((long) (Double.parseDouble(seconds.get(0).strip()) * 1000));
            }
        } catch (NumberFormatException notANumber) {
            // An HTTP date or garbage: the usual backoff.
        }
        return -1;
    }

    private static long clamp(long ms) {
        return ms < 0 || ms > MAX_RETRY_AFTER_MS ? -1 : ms;
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpenAICallFailed("OpenAI call interrupted while waiting to retry", e, false);
        }
    }
}
