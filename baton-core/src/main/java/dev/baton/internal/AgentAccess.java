package dev.baton.internal;

import dev.baton.agent.Agent;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Not API. What {@link Agent} computes for the runner and the durable worker, which users have no
 * reason to call: the fixed offer of tools and handoffs, and the agents reachable by handoffs.
 * {@code Agent} installs the implementation when its class initialises.
 */
public final class AgentAccess {

    /** Implemented by {@code Agent} only. */
    public interface Access {
        <C> @Nullable Offered<C> fixedOffer(Agent<C> agent);

        <C> Map<String, Agent<C>> reachableAgents(Agent<C> agent);
    }

    private static volatile @Nullable Access access;

    private AgentAccess() {}

    /** Called once, by {@code Agent}'s static initialiser; later calls are refused. */
    public static synchronized void install(Access implementation) {
        access = Accessors.once(access, implementation, Agent.class);
    }

    /**
     * What {@code agent} offers on every turn, when no tool or handoff has an enabling check that
     * depends on the run (only {@code EnabledWhen.always()} or {@code never()}); null otherwise.
     * Computed once per agent, so runs skip the per-turn work.
     */
    public static <C> @Nullable Offered<C> fixedOffer(Agent<C> agent) {
        return access().fixedOffer(agent);
    }

    /**
     * Every agent reachable from {@code agent} through handoffs, itself included, by name; computed
     * once. Runs use it to check the graph before the first model call and to find the agent a
     * session says holds the conversation.
     *
     * @throws dev.baton.UserError if a handoff names an agent no team resolved, or two different
     *     agents reachable from here share a name
     */
    public static <C> Map<String, Agent<C>> reachableAgents(Agent<C> agent) {
        return access().reachableAgents(agent);
    }

    private static Access access() {
        return Accessors.get(access, () -> access, Agent.class);
    }
}
