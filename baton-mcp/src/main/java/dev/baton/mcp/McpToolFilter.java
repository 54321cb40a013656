package dev.baton.mcp;

import dev.baton.run.RunContext;

/**
 * Decides, on every turn, which of a server's tools an agent is offered: by name, by what the
 * server says of the tool, or by the run (the user's role in the context, say).
 */
@FunctionalInterface
public interface McpToolFilter {
    boolean test(RunContext<?> context, McpTool tool);
}
