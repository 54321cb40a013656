package dev.baton.run;

import dev.baton.RunCancelled;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.schema.Description;
import dev.baton.schema.JsonArguments;
import dev.baton.tool.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Builds the tools behind {@link Agent#asTool}: a nested run of the agent per call. */
final class AgentTools {
    private AgentTools() {}

    /** What the calling model writes when it uses an agent as a tool. */
    record AgentToolInput(@Description("The full request for the agent: it sees nothing else of the conversation") String input) {}

    /**
     * A tool that runs {@code agent} on the input the caller's model writes and returns its final
     * output (or what {@code extractor} makes of the result). The nested run shares the caller's
     * context object, runner, model override and settings; its usage counts toward the caller's
     * run. It has no session: the caller's conversation stays with the caller. When anyone reads
     * the caller's events (a stream or a listener), the nested run's events reach them as
     * {@link RunEvent.Nested}, and a streamed caller's nested run streams its model too.
     */
    static <C> Tool<C> asTool(Agent<C> agent, String toolName, String description,
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
                        RunContext.NestedEvents events = parent.nestedEvents();
                        result = parent.runner().runNested(agent, in.input(), resume, nested, events != null && events.streaming(),
                                events == null ? null : new Forwarder(events.sink(), ctx.callId(), ctx.toolName(), ctx.agent()));
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

    /**
     * Passes a nested run's events to its caller, tagged with the call and the path of agents. The
     * nested run reports from one thread at a time, so its events arrive in its order. Once the
     * caller refused one (its listener threw), the rest are dropped: the nested run is stopping.
     */
    private static final class Forwarder implements Consumer<RunEvent> {
        private final Consumer<RunEvent.Nested> caller;
        private final String callId;
        private final String toolName;
        private final String callingAgent;
        private volatile boolean refused;

        Forwarder(Consumer<RunEvent.Nested> caller, String callId, String toolName, String callingAgent) {
            this.caller = caller;
            this.callId = callId;
            this.toolName = toolName;
            this.callingAgent = callingAgent;
        }

        @Override
        public void accept(RunEvent event) {
            if (refused) {
                return;
            }
            RunEvent.Nested tagged;
            if (event instanceof RunEvent.Nested deeper) {
                List<String> path = new ArrayList<>(deeper.path().size() + 1);
                path.add(callingAgent);
                path.addAll(deeper.path());
                tagged = new RunEvent.Nested(callId, toolName, path, deeper.event());
            } else {
                tagged = new RunEvent.Nested(callId, toolName, List.of(callingAgent, event.agent()), event);
            }
            try {
                caller.accept(tagged);
            } catch (RuntimeException | Error e) {
                refused = true;
                throw e;
            }
        }
    }
}
