package dev.baton.item;

import java.util.Objects;

/**
 * The answer to a {@link ToolCall}, as the model will read it.
 *
 * @param callId the id of the call this answers
 * @param output the text the model sees (a tool's result, or an error message)
 */
public record ToolOutput(String callId, String output) implements Item {

    public ToolOutput {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(output, "output");
    }
}
