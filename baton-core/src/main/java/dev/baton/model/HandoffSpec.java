package dev.baton.model;

import java.util.Objects;

/**
 * A handoff offered to the model: a transfer function ({@link #tool()}) and the agent it leads to.
 * Providers send it as an ordinary function tool.
 */
public record HandoffSpec(ToolSpec tool, String targetAgent) {
    public HandoffSpec {
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(targetAgent, "targetAgent");
    }

    public String toolName() {
        return tool.name();
    }
}
