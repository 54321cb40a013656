package dev.baton.agent;

import dev.baton.UserError;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Where a handoff leads: an agent object, or an agent name that a {@link Team} resolves. Names
 * let agents that hand to each other (triage to billing and back) be built one after the other.
 */
public final class AgentRef<C> {
    private final String name;
    private final @Nullable Agent<C> agent;
    private final @Nullable Supplier<Agent<C>> resolver;

    private AgentRef(String name, @Nullable Agent<C> agent, @Nullable Supplier<Agent<C>> resolver) {
        this.name = Objects.requireNonNull(name, "name");
        this.agent = agent;
        this.resolver = resolver;
    }

    /** A reference to an agent object. */
    public static <C> AgentRef<C> of(Agent<C> agent) {
        return new AgentRef<>(agent.name(), agent, null);
    }

    /** A reference by name, for a {@link Team} to resolve. */
    public static <C> AgentRef<C> named(String name) {
        if (name == null || name.isBlank()) {
            throw new UserError("A handoff target name must not be blank");
        }
        return new AgentRef<>(name, null, null);
    }

    static <C> AgentRef<C> resolved(String name, Supplier<Agent<C>> resolver) {
        return new AgentRef<>(name, null, resolver);
    }

    /** The target agent's name. */
    public String name() {
        return name;
    }

    /** True when the target is known: an agent object, or a name bound by a {@link Team}. */
    public boolean isResolvable() {
        return agent != null || resolver != null;
    }

    /** The target agent, or null for a name that no team has resolved. */
    @Nullable Agent<C> direct() {
        return agent;
    }

    /**
     * The target agent.
     *
     * @throws UserError for a name that was never resolved by a {@link Team}
     */
    public Agent<C> resolve() {
        if (agent != null) {
            return agent;
        }
        if (resolver != null) {
            return resolver.get();
        }
        throw new UserError("Handoff target '" + name + "' is an agent name that was never resolved: "
                + "build the agents together with Team.of(...) and run the agent the team returns");
    }
}
