package dev.baton.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.item.Item;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything a model needs for one answer.
 *
 * @param agent name of the agent asking (for models and tests that script per agent; providers
 *     do not send it)
 * @param instructions the system prompt, or null for none
 * @param input the conversation so far
 * @param tools function tools offered
 * @param handoffs handoffs offered, each as a transfer function
 * @param outputSchema JSON schema the final answer must follow, or null for plain text
 * @param settings sampling and tool-choice settings
 */
public record ModelRequest(
        String agent,
        @Nullable String instructions,
        List<Item> input,
        List<ToolSpec> tools,
        List<HandoffSpec> handoffs,
        @Nullable ObjectNode outputSchema,
        ModelSettings settings) {

    public ModelRequest {
        Objects.requireNonNull(agent, "agent");
        input = List.copyOf(input);
        tools = List.copyOf(tools);
        handoffs = List.copyOf(handoffs);
        settings = settings == null ? ModelSettings.defaults() : settings;
    }

    /** A request with only a conversation, for models called directly. */
    public static ModelRequest of(String agent, @Nullable String instructions, List<Item> input) {
        return new ModelRequest(agent, instructions, input, List.of(), List.of(), null, ModelSettings.defaults());
    }

    /** The last item of the input, if any. */
    public @Nullable Item lastInput() {
        return input.isEmpty() ? null : input.get(input.size() - 1);
    }

    /** The handoff whose transfer function is {@code toolName}, or null. */
    public @Nullable HandoffSpec handoffByTool(String toolName) {
        for (HandoffSpec h : handoffs) {
            if (h.toolName().equals(toolName)) {
                return h;
            }
        }
        return null;
    }

    /** The first handoff offered to {@code agentName}, or null. */
    public @Nullable HandoffSpec handoffTo(String agentName) {
        for (HandoffSpec h : handoffs) {
            if (h.targetAgent().equals(agentName)) {
                return h;
            }
        }
        return null;
    }
}
