package dev.baton.tool;

import dev.baton.agent.Agent;
import dev.baton.run.RunContext;
import java.util.List;

/**
 * A source of tools that the agent asks on every turn, for tools that are not known when the
 * agent is built or that change while it runs: the tools of an MCP server, a registry, a plugin
 * folder. The tools it gives are offered after the agent's own, and a call of one goes through
 * the same path as any tool (approval, guardrails, tracing, the durable journal).
 *
 * <p>A provider answers fast and from memory where it can (a cached list, refreshed when the
 * source says it changed): it is asked once per turn. When it cannot list its tools it throws;
 * the run then fails with {@link dev.baton.ToolProviderFailed}, which names it, and a durable run
 * stays resumable.
 *
 * @param <C> the application context type of the tools it gives
 */
public interface ToolProvider<C> {

    /** The provider's name, unique among an agent's providers: errors, traces and fingerprints use it. */
    String name();

    /**
     * The tools offered to {@code agent} on this turn, in the order offered. Their names must not
     * collide with the agent's own tools, handoffs or another provider's tools.
     */
    List<Tool<C>> tools(RunContext<C> context, Agent<C> agent);

    /**
     * What identifies the provider's definition, for {@link Agent#fingerprint()}: the same in
     * every process that runs the same agent, and different when it would give other tools (another
     * server, another filter). Not the current tool list, which may change while a run is paused.
     * The name by default.
     */
    default String fingerprint() {
        return name();
    }
}
