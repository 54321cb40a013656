package dev.baton.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The JSON arguments of {@link MockEvent}s: a record, a map or JSON text, which must be a JSON object. */
final class EventArguments {
    private EventArguments() {}

    /** JSON text of {@code value}: text is taken as JSON as written, anything else is serialised the way Baton does. */
    static String json(@Nullable Object value, String what) {
        if (value == null) {
            throw new NullPointerException(what + ": null; leave them out for none");
        }
        return value instanceof String text ? text : Json.write(value);
    }

    /** {@code json} itself, checked to be a JSON object, so a typo fails where the test wrote it. */
    static String object(@Nullable String json, String what) {
        Objects.requireNonNull(json, what);
        JsonNode node = Json.parse(json).orElseThrow(() -> new IllegalArgumentException(
                what + ": not valid JSON: " + Steps.abbreviate(json)));
        if (!node.isObject()) {
            String kind = node.getNodeType().name().toLowerCase(Locale.ROOT);
            throw new IllegalArgumentException(what + ": not a JSON object (such as a record or a Map) but "
                    + ("aeiou".indexOf(kind.charAt(0)) >= 0 ? "an " : "a ") + kind + ": " + Steps.abbreviate(json));
        }
        return json;
    }

    static void requireName(@Nullable String name, String what) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("The " + what + " must not be " + (name == null ? "null" : "blank"));
        }
    }
}
