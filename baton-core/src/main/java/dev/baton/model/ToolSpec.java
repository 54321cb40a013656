package dev.baton.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A function the model may call, as sent to it.
 *
 * @param name function name
 * @param description what it does, for the model
 * @param parameters JSON schema of its arguments (an object schema)
 * @param strict whether the schema follows strict mode (every property required,
 *     {@code additionalProperties: false}) so providers may enforce it
 */
public record ToolSpec(String name, String description, ObjectNode parameters, boolean strict) {
    public ToolSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parameters, "parameters");
        description = description == null ? "" : description;
    }
}
