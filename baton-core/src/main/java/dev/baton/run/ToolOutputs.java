package dev.baton.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.internal.Schemas;
import org.jspecify.annotations.Nullable;

/** Turns what a tool returned into the text the model reads. */
final class ToolOutputs {
    private ToolOutputs() {}

    static String toText(@Nullable Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean || value instanceof Character) {
            return value.toString();
        }
        try {
            return Schemas.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }
}
