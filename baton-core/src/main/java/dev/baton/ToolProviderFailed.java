package dev.baton;

/**
 * A {@link dev.baton.tool.ToolProvider} could not give the tools for a turn: an MCP server that did
 * not start, went away or did not answer in time. The message names the provider and the agent; the
 * cause is the provider's own error. The run's items so far are kept, as for every
 * {@link BatonException}. A durable run stops without ending, so that a worker takes it up again once
 * the source is back.
 */
public final class ToolProviderFailed extends BatonException {
    private final String provider;

    public ToolProviderFailed(String provider, String agent, Throwable cause) {
        super("The tool provider '" + provider + "' of agent '" + agent + "' could not list its tools: " + message(cause), cause);
        this.provider = provider;
    }

    /** The name of the provider that failed. */
    public String provider() {
        return provider;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
