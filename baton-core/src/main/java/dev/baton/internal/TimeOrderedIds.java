package dev.baton.internal;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids that begin with the epoch millisecond they were made in, so that they sort by time. Rows
 * keyed by them (runs, their effects and events) are added at the end of their B-tree indexes,
 * where the pages being written stay in memory, instead of on a random page each, as
 * with random ids (decision 63). Not API: ids stay opaque strings to Baton's users.
 */
public final class TimeOrderedIds {
    private TimeOrderedIds() {}

    /**
     * 32 lowercase hex digits: the current epoch millisecond (12), then 80 random bits (20).
     * {@link ThreadLocalRandom} is enough (unique, not secret) and does not contend on a shared
     * {@code SecureRandom} as {@code UUID.randomUUID()} does.
     */
    public static String hex32() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return hex(System.currentTimeMillis(), 12) + hex(random.nextLong(), 10) + hex(random.nextLong(), 10);
    }

    /** A UUID in the version 7 layout of RFC 9562: the current epoch millisecond, then 74 random bits. */
    public static String uuid() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return version7(System.currentTimeMillis(), random.nextLong(), random.nextLong());
    }

    /**
     * 32 hex digits that only {@code name} decides, so every call with the same name gives the same
     * id: the millisecond of {@code timeOf} when it is a version 7 UUID (its first 12 hex digits),
     * then 20 digits of the name's MD5; when {@code timeOf} carries no time, the name's MD5 alone
     * (the digits of {@link UUID#nameUUIDFromBytes}).
     */
    public static String derivedHex32(String timeOf, String name) {
        UUID hash = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
        long millis = millisOf(timeOf);
        if (millis < 0) {
            return hex(hash.getMostSignificantBits(), 16) + hex(hash.getLeastSignificantBits(), 16);
        }
        return hex(millis, 12) + hex(hash.getMostSignificantBits(), 4) + hex(hash.getLeastSignificantBits(), 16);
    }

    /**
     * A UUID that only {@code name} decides: version 7 with the millisecond of {@code timeOf} when
     * that is a version 7 UUID, the rest from the name's MD5; otherwise the name-based UUID of
     * {@link UUID#nameUUIDFromBytes}. A message's children keep its time this way and stay the same
     * when it is handled again.
     */
    public static String derivedUuid(String timeOf, String name) {
        UUID hash = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
        long millis = millisOf(timeOf);
        return millis < 0 ? hash.toString() : version7(millis, hash.getMostSignificantBits(), hash.getLeastSignificantBits());
    }

    /** The epoch millisecond a version 7 UUID in its text form carries; -1 for any other string. */
    public static long millisOf(String id) {
        if (id.length() != 36 || id.charAt(8) != '-' || id.charAt(13) != '-' || id.charAt(14) != '7' || id.charAt(18) != '-'
                || "89ab".indexOf(id.charAt(19)) < 0 || id.charAt(23) != '-') {
            return -1;
        }
        long millis = 0;
        for (int i = 0; i < 13; i++) {
            if (i == 8) {
                continue;
            }
            int digit = Character.digit(id.charAt(i), 16);
            if (digit < 0) {
                return -1;
            }
            millis = (millis << 4) | digit;
        }
        return millis;
    }

    private static String version7(long millis, long high, long low) {
        long msb = (millis << 16) | 0x7000L | (high & 0x0FFFL);
        long lsb = (low & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** The low {@code digits} hex digits of {@code value}, zero-padded. */
    private static String hex(long value, int digits) {
        char[] out = new char[digits];
        for (int i = digits - 1; i >= 0; i--) {
            out[i] = Character.forDigit((int) (value & 0xF), 16);
            value >>>= 4;
        }
        return new String(out);
    }
}
