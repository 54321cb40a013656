package dev.baton.internal;

import dev.baton.agent.Agent;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.tool.Tool;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Not API. Lets {@link Agent#asTool} build its tool, a nested run of the agent per call, from the
 * runner's package-private parts. {@link Runner} installs the implementation when its class
 * initialises.
 */
public final class RunAccess {

    /** Implemented by {@code Runner}'s package only. */
    public interface AgentTools {
        <C> Tool<C> asTool(Agent<C> agent, String toolName, String description,
                @Nullable Function<RunResult, String> extractor);
    }

    private static volatile @Nullable AgentTools agentTools;

    private RunAccess() {}

    /** Called once, by {@code Runner}'s static initialiser; later calls are refused. */
    public static synchronized void install(AgentTools implementation) {
        agentTools = Accessors.once(agentTools, implementation, Runner.class);
    }

    /**
     * A tool that runs {@code agent} on the input the caller's model writes and returns its final
     * output, or what {@code extractor} makes of the result.
     */
    public static <C> Tool<C> asTool(Agent<C> agent, String toolName, String description,
            @Nullable Function<RunResult, String> extractor) {
        return Accessors.get(agentTools, () -> agentTools, Runner.class).asTool(agent, toolName, description, extractor);
    }
}
