package dev.baton.runtime.internal;

import dev.baton.runtime.AgentId;
import dev.baton.runtime.AgentRuntime;
import dev.baton.runtime.MessageContext;
import dev.baton.runtime.RoutedAgent;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Not API. Lets {@link LocalAgents} reach the package-private parts of {@link RoutedAgent} (binding
 * an instance to its id, finding and calling its handlers) without making them public: RoutedAgent
 * hands its bridge over once, when its class is initialised.
 */
public final class AgentAccess {

    /** What RoutedAgent exposes to the runtimes. */
    public interface Bridge {
        void bind(RoutedAgent agent, AgentId id, AgentRuntime runtime);

        boolean handles(RoutedAgent agent, Class<?> messageType);

        @Nullable Object dispatch(RoutedAgent agent, Object message, MessageContext context) throws Throwable;

        boolean dormantWhenIdle(RoutedAgent agent);
    }

    private static volatile @Nullable Bridge bridge;

    private AgentAccess() {}

    /**
     * Called once, by RoutedAgent's class initialiser.
     *
     * @throws IllegalStateException if a bridge is already set
     */
    public static synchronized void set(Bridge value) {
        if (bridge != null) {
            throw new IllegalStateException("the agent bridge is set once, by RoutedAgent");
        }
        bridge = Objects.requireNonNull(value, "bridge");
    }

    static Bridge get() {
        Bridge b = bridge;
        if (b == null) {
            try {
                Class.forName(RoutedAgent.class.getName(), true, RoutedAgent.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            b = bridge;
        }
        if (b == null) {
            throw new IllegalStateException("RoutedAgent did not set its bridge");
        }
        return b;
    }
}
