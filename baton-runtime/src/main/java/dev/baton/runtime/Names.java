package dev.baton.runtime;

import java.util.Objects;
import java.util.regex.Pattern;

/** The rule for agent and topic type names, which become Kafka topic names later. */
final class Names {

    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_.:\\-]+");

    private Names() {}

    static void checkType(String what, String name) {
        Objects.requireNonNull(name, what);
        if (!TYPE.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    what + " must be letters, digits, '_', '-', '.' or ':' and not empty, was '" + name + "'");
        }
    }
}
