package dev.baton.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.internal.Schemas;
import java.util.Optional;

/** JSON the way Baton writes it: through {@code dev.baton.internal.Schemas.mapper()}, so property names are snake_case. */
final class Json {
    private Json() {}

    /** The JSON text of a value (a record of arguments, a handoff input). */
    static String write(Object value) {
        try {
            return Schemas.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The JSON tree of a value, as the model would have written it. */
    static JsonNode tree(Object value) {
        return Schemas.mapper().valueToTree(value);
    }

    /** The parsed text, or empty when it is not JSON (models may write malformed arguments). */
    static Optional<JsonNode> parse(String text) {
        try {
            JsonNode node = Schemas.mapper().readTree(text);
            return node == null || node.isMissingNode() ? Optional.empty() : Optional.of(node);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** The parsed text; for scripts, where malformed JSON is a mistake in the test. */
    static JsonNode parseOrThrow(String text, String what) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException(what + " is not valid JSON: " + text));
    }
}
