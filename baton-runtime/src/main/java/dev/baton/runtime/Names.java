package dev.baton.runtime;

import java.util.Objects;

/** The rule for agent and topic type names, which become Kafka topic names later. */
final class Names {

    private Names() {}

    static void checkType(String what, String name) {
        Objects.requireNonNull(name, what);
        if (!legal(name)) {
            throw new IllegalArgumentException(
                    what + " must be letters, digits, '_', '-', '.' or ':' and not empty, was '" + name + "'");
        }
    }

    /** Letters, digits, '_', '-', '.' or ':', at least one: checked by hand, as every message's topic is made anew. */
    private static boolean legal(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':'
                    || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
