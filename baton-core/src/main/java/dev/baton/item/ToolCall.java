package dev.baton.item;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A model's request to call a function: a tool, or the transfer tool of a handoff.
 *
 * @param callId the id that the matching {@link ToolOutput} must carry
 * @param name the function name
 * @param arguments the arguments as the model wrote them: a JSON text, possibly malformed
 * @param id the provider's item id, where it differs from the call id (Responses API)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ToolCall(String callId, String name, String arguments, @Nullable String id) implements Item {

    public ToolCall {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(name, "name");
        arguments = arguments == null ? "" : arguments;
    }

    public ToolCall(String callId, String name, String arguments) {
        this(callId, name, arguments, null);
    }
}
