package dev.baton.mcp;

/**
 * An MCP server could not be used: it did not start, went away, did not answer in time, or
 * answered with a protocol error. The message names the server and what was asked of it; the
 * cause is the MCP SDK's own error. A run reads it as a tool's error, or as the cause of a
 * {@link dev.baton.ToolProviderFailed} when the tools could not be listed.
 */
public final class McpServerException extends RuntimeException {
    private final String server;

    McpServerException(String server, String message, Throwable cause) {
        super(message, cause);
        this.server = server;
    }

    /** The name of the server, as the {@link McpToolProvider} was given it. */
    public String server() {
        return server;
    }
}
