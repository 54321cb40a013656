package dev.baton.run;

import dev.baton.RunCancelled;
import dev.baton.UserError;
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
     * context object, runner, model override and settings; its usage counts toward the caller's
     * run. It has no session: the caller's conversation stays with the caller.
     */
    public static <C> Tool<C> asTool(Agent<C> agent, String toolName, String description,
            @Nullable Function<RunResult, String> extractor) {
        return Tool.<C>builder(toolName)
                .description(description)
                .parameters(AgentToolInput.class)
                .invoker((ctx, json) -> {
                    AgentToolInput in = JsonArguments.bind(json, AgentToolInput.class);
                    RunContext<C> parent = ctx.run();
                    RunResult result;
                    try {
                        RunState resume = ctx.resumeState();
                        RunOptions<C> nested = parent.nestedRunOptions();
                        if (ctx.span() != null) {
                            nested = nested.withTraceParent(new RunOptions.TraceParent(parent.trace(), ctx.span()));
                        }
                        result = resume != null
                                ? parent.runner().resume(agent, resume, nested)
                                : parent.runner().run(agent, in.input(), nested);
                    } catch (UserError e) {
                        // Re-raised so the caller's run attaches its own items; the nested run's stay on the cause.
                        throw new UserError("Agent '" + agent.name() + "' used as tool '" + toolName + "': " + e.getMessage(), e);
                    } catch (RunCancelled e) {
                        throw new RunCancelled("Agent '" + agent.name() + "' used as tool '" + toolName + "' was cancelled");
                    }
                    if (result.isPaused()) {
                        throw new ToolPaused(result.toState());
                    }
                    parent.addNested(result.usageByAgent());
                    return extractor != null ? extractor.apply(result) : result.finalOutputText();
                })
                .build();
    }
}
