package dev.baton.trace;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Trace and span ids. Random bits from {@link ThreadLocalRandom}: ids only need to be unique, not
 * unguessable, and runs create them on the hot path, where {@code SecureRandom} or {@code UUID}
 * would contend.
 */
final class Ids {
    private static final HexFormat HEX = HexFormat.of();

    private Ids() {}

    /** {@code trace_} and 32 hex digits (128 random bits). */
    static String traceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "trace_" + HEX.toHexDigits(random.nextLong()) + HEX.toHexDigits(random.nextLong());
    }

    /** {@code span_} and 24 hex digits (96 random bits). */
    static String spanId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "span_" + HEX.toHexDigits(random.nextLong()) + HEX.toHexDigits(random.nextInt());
    }
}
