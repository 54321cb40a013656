package dev.baton.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * A tool as an MCP server lists it, before Baton offers it to a model: what a
 * {@link McpToolFilter} decides on.
 *
 * @param server the name the {@link McpToolProvider} was given
 * @param name the tool's name on the server (without any prefix)
 * @param description what the server says the tool does; empty when it says nothing
 * @param inputSchema the JSON schema of its arguments, as the server gave it
 * @param outputSchema the JSON schema of its structured result, if it declares one
 * @param readOnly whether the server marks it as not changing anything ({@code readOnlyHint})
 * @param destructive whether the server marks it as possibly destroying data ({@code destructiveHint})
 */
public record McpTool(String server, String name, String description, ObjectNode inputSchema, @Nullable ObjectNode outputSchema,
        boolean readOnly, boolean destructive) {}
