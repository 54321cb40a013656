package dev.baton.run;

import dev.baton.agent.Agent;
import dev.baton.schema.Description;
import dev.baton.schema.JsonArguments;
import dev.baton.tool.Tool;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Builds the tools behind {@link Agent#asTool}: a nested run of the agent per call. */
public final class AgentTools {
    private AgentTools() {}

    /** What the calling model writes when it uses an agent as a tool. */
    record AgentToolInput(@Description("The full request for the agent: it sees nothing else of the conversation") String input) {}

    /**
     * A tool that runs {@code agent} on the input the caller's model writes and returns its final
     * output (or what {@code extractor} makes of the result). The nested run shares the caller's
     * context object and runner; its usage counts toward the caller's run.
     */
    public static <C> Tool<C> asTool(Agent<C> agent, String toolName, String description,
            @Nullable Function<RunResult, String> extractor) {
        return Tool.<C>builder(toolName)
                .description(description)
                .parameters(AgentToolInput.class)
                .invoker((ctx, json) -> {
                    AgentToolInput in = JsonArguments.bind(json, AgentToolInput.class);
                    RunContext<C> parent = ctx.run();
                    RunResult result = parent.runner().run(agent, in.input(), RunOptions.<C>none().withContext(ctx.context()));
                    parent.addNested(result.usageByAgent());
                    return extractor != null ? extractor.apply(result) : result.finalOutputText();
                })
                .build();
    }
}
