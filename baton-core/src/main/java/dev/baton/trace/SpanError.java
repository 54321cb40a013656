package dev.baton.trace;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Why a span failed.
 *
 * @param message what went wrong, readable by a person
 * @param type a short, low-cardinality name of the failure (an exception's class name, a {@code
 *     ToolError.Kind}, {@code "max_turns"}), or null if there is none; exporters use it to group
 *     errors, so it should not contain ids or user content
 */
public record SpanError(String message, @Nullable String type) {

    public SpanError {
        Objects.requireNonNull(message, "message");
    }
}
