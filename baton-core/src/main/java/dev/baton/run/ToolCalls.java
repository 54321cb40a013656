package dev.baton.run;

import dev.baton.RunCancelled;
import dev.baton.ToolCallFailed;
import dev.baton.UserError;
import dev.baton.ToolGuardrailTripwireTriggered;
import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.guardrail.ToolGuardrail;
import dev.baton.internal.ToolAccess;
import dev.baton.item.Image;
import dev.baton.item.ToolCall;
import dev.baton.run.Engine.ToolOutcome;
import dev.baton.schema.InvalidArgumentsException;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolAnswer;
import dev.baton.tool.ToolContext;
import dev.baton.tool.ToolError;
import dev.baton.tool.ToolErrorFormatter;
import dev.baton.tool.ToolFailureMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tool calls of one turn as one step of the run's {@link Engine}, which performs them
 * (concurrently, bounded by {@link RunConfig#maxConcurrentTools()}) or replays their recorded
 * outcomes; outputs kept in call order. Every failure a model can
 * recover from becomes an error output, unless the tool is set to raise; cancellation and
 * configuration errors stop the run.
 */
final class ToolCalls<C> {
    private static final Logger log = LoggerFactory.getLogger(ToolCalls.class);

    /** A call to run; {@code tool} is null when the agent offers no tool of that name. */
    record Pending<C>(ToolCall call, @Nullable Tool<C> tool) {}

    /** Agents that tools of this run returned to hand the conversation to, by name. */
    private final java.util.Map<String, Agent<?>> handoffTargets = new java.util.concurrent.ConcurrentHashMap<>();

    java.util.Map<String, Agent<?>> handoffTargets() {
        return handoffTargets;
    }

    /** Paused nested runs to continue, by call id (set by the loop when it resumes a paused turn). */
    private java.util.Map<String, RunState> resumeStates = java.util.Map.of();

    void resumeStates(java.util.Map<String, RunState> states) {
        this.resumeStates = states;
    }

    private final RunConfig config;
    private final Runnable checkCancelled;
    private final Supplier<RunCancelled> cancelled;
    private final HookCalls<C> hooks;
    private final RunTrace trace;

    private final Engine engine;
    private final Interceptors interceptors;
    private final String runId;
    /** The loop's turn, part of each call's step. */
    private int turn;

    ToolCalls(RunConfig config, HookCalls<C> hooks, RunTrace trace, Runnable checkCancelled, Supplier<RunCancelled> cancelled,
            Engine engine, Interceptors interceptors, String runId) {
        this.engine = engine;
        this.interceptors = interceptors;
        this.runId = runId;
        this.config = config;
        this.hooks = hooks;
        this.trace = trace;
        this.checkCancelled = checkCancelled;
        this.cancelled = cancelled;
    }

    void turn(int turn) {
        this.turn = turn;
    }

    /**
     * Runs the calls of a turn as one engine step, outcomes in call order. A call to a tool the
     * agent does not offer is answered here, without a step: nothing runs for it.
     */
    List<ToolOutcome> runAll(List<Pending<C>> calls, RunContext<C> ctx, Agent<C> agent, Set<String> toolNames, Set<String> handoffNames) {
        List<Engine.ToolStep> steps = new ArrayList<>(calls.size());
        List<Pending<C>> known = new ArrayList<>(calls.size());
        for (Pending<C> p : calls) {
            if (p.tool() != null) {
                steps.add(new Engine.ToolStep(turn, p.call().callId(), agent.name(), p.tool().name(), p.call().arguments()));
                known.add(p);
            }
        }
        List<ToolOutcome> ran = steps.isEmpty() ? List.of()
                : engine.tools(new Engine.ToolBatch(runId, turn, agent.name(), steps, config.maxConcurrentTools()),
                        step -> runOne(known.get(indexOf(steps, step)), ctx, agent));
        if (known.size() == calls.size()) {
            return ran;
        }
        List<ToolOutcome> outcomes = new ArrayList<>(calls.size());
        int next = 0;
        for (Pending<C> p : calls) {
            outcomes.add(p.tool() != null ? ran.get(next++) : unknown(p.call(), toolNames, handoffNames));
        }
        return outcomes;
    }

    /** The position of a step the engine hands back: the batch's own instance, found by identity (call ids may repeat). */
    private static int indexOf(List<Engine.ToolStep> steps, Engine.ToolStep step) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) == step) {
                return i;
            }
        }
        throw new IllegalStateException("the engine performed a tool step that is not in the batch: " + step);
    }

    private ToolOutcome unknown(ToolCall call, Set<String> toolNames, Set<String> handoffNames) {
        return error(null, new ToolError(call.name(), call.callId(), ToolError.Kind.UNKNOWN_TOOL,
                "there is no tool named '" + call.name() + "'. Available tools: " + toolNames
                        + (handoffNames.isEmpty() ? "" : "; handoffs: " + handoffNames), null));
    }

    /** One call as the engine performs it: the interceptors, then its span, guardrails and hooks around the tool itself. */
    private ToolOutcome runOne(Pending<C> pending, RunContext<C> ctx, Agent<C> agent) {
        checkCancelled.run();
        ToolCall call = pending.call();
        Tool<C> tool = java.util.Objects.requireNonNull(pending.tool());
        if (interceptors.noToolLinks()) {
            return run(tool, call, ctx, agent);
        }
        return interceptors.tool(new ToolInterceptor.ToolInvocation(runId, agent.name(), tool.name(), call.callId(), call.arguments()),
                c -> run(tool, c.arguments().equals(call.arguments()) ? call
                        : new ToolCall(call.callId(), call.name(), c.arguments(), call.id()), ctx, agent));
    }

    private ToolOutcome run(Tool<C> tool, ToolCall call, RunContext<C> ctx, Agent<C> agent) {
        if (trace.on()) {
            dev.baton.trace.Tracer.ActiveSpan span = trace.toolStarted(agent.name(), tool, call.callId(), call.arguments());
            ToolContext<C> toolContext = new ToolContext<>(ctx, agent.name(), tool.name(), call.callId(), call.arguments(),
                    resumeStates.get(call.callId()), span);
            ToolOutcome outcome;
            try {
                outcome = untraced(tool, toolContext, ctx, agent, call);
            } catch (RuntimeException | Error e) {
                RunTrace.failed(span, e);
                throw e;
            }
            trace.toolEnded(span, agent.name(), tool, call.callId(), call.arguments(), outcome.output(), outcome.error());
            return outcome;
        }
        ToolContext<C> toolContext = new ToolContext<>(ctx, agent.name(), tool.name(), call.callId(), call.arguments(),
                resumeStates.get(call.callId()), null);
        return untraced(tool, toolContext, ctx, agent, call);
    }

    private ToolOutcome untraced(Tool<C> tool, ToolContext<C> toolContext, RunContext<C> ctx, Agent<C> agent, ToolCall call) {
        if (tool.guardrails().isEmpty()) {
            hooks.toolStart(ctx, agent, tool, call.callId(), call.arguments());
            ToolOutcome outcome = perform(tool, toolContext, call);
            hooks.toolEnd(ctx, agent, tool, call.callId(), outcome.output());
            return outcome;
        }
        return guarded(tool, toolContext, ctx, agent, call);
    }

    /** A call through the tool's guardrails: input ones before it runs, output ones on its result. */
    private ToolOutcome guarded(Tool<C> tool, ToolContext<C> toolContext, RunContext<C> ctx, Agent<C> agent, ToolCall call) {
        List<GuardrailResult> results = new ArrayList<>();
        for (ToolGuardrail<C> g : tool.guardrails()) {
            if (g.isInput()) {
                ToolGuardrail.Decision d = decide(g, () -> ToolAccess.checkInput(g, toolContext, call.arguments()));
                GuardrailResult r = result(g, GuardrailResult.Kind.TOOL_INPUT, agent, call, d);
                results.add(r);
                if (d instanceof ToolGuardrail.Decision.Raise) {
                    throw new ToolGuardrailTripwireTriggered(r);
                }
                if (d instanceof ToolGuardrail.Decision.Replace replace) {
                    return new ToolOutcome(replace.message(), false, results, null, null, List.of());
                }
            }
        }
        hooks.toolStart(ctx, agent, tool, call.callId(), call.arguments());
        ToolOutcome outcome = perform(tool, toolContext, call);
        String output = outcome.output();
        if (!outcome.error()) {
            for (ToolGuardrail<C> g : tool.guardrails()) {
                if (!g.isInput()) {
                    String seen = output;
                    ToolGuardrail.Decision d = decide(g, () -> ToolAccess.checkOutput(g, toolContext, call.arguments(), seen));
                    GuardrailResult r = result(g, GuardrailResult.Kind.TOOL_OUTPUT, agent, call, d);
                    results.add(r);
                    if (d instanceof ToolGuardrail.Decision.Raise) {
                        throw new ToolGuardrailTripwireTriggered(r);
                    }
                    if (d instanceof ToolGuardrail.Decision.Replace replace) {
                        output = replace.message();
                    }
                }
            }
        }
        hooks.toolEnd(ctx, agent, tool, call.callId(), output);
        return outcome.withGuardrails(output, results);
    }

    private static ToolGuardrail.Decision decide(ToolGuardrail<?> g, Supplier<ToolGuardrail.Decision> check) {
        try {
            return check.get();
        } catch (dev.baton.BatonException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new dev.baton.CallbackFailed("The tool guardrail '" + g.name() + "' failed: " + Callbacks.message(e), e);
        }
    }

    private static GuardrailResult result(ToolGuardrail<?> g, GuardrailResult.Kind kind, Agent<?> agent, ToolCall call,
            ToolGuardrail.Decision d) {
        return new GuardrailResult(g.name(), kind, agent.name(), call.callId(), !(d instanceof ToolGuardrail.Decision.Allow), d.info());
    }

    private ToolOutcome perform(Tool<C> tool, ToolContext<C> toolContext, ToolCall call) {
        try {
            Object value = tool.timeout() == null
                    ? tool.call(toolContext, call.arguments())
                    : callWithTimeout(tool, toolContext, call.arguments(), tool.timeout());
            if (value instanceof Agent<?> target) {
                return handOff(target);
            }
            if (value instanceof ToolAnswer answer) {
                return new ToolOutcome(answer.text(), false, answer.images());
            }
            if (value instanceof Image image) {
                return new ToolOutcome("", false, List.of(image));
            }
            return new ToolOutcome(ToolOutputs.toText(value), false);
        } catch (ToolPaused paused) {
            return new ToolOutcome("", false, List.of(), paused.state, null, List.of());
        } catch (InvalidArgumentsException e) {
            return failed(tool, toolContext, new ToolError(tool.name(), call.callId(), ToolError.Kind.INVALID_ARGUMENTS,
                    Callbacks.message(e), e));
        } catch (TimeoutException e) {
            return failed(tool, toolContext, new ToolError(tool.name(), call.callId(), ToolError.Kind.TIMED_OUT,
                    "no result within " + human(tool.timeout()), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cancelled.get();
        } catch (UserError | RunCancelled e) {
            throw e;
        } catch (NestedListenerFailed e) {
            throw e.runId().equals(toolContext.run().runId()) ? e.failure() : e;
        } catch (Exception e) {
            if (Thread.currentThread().isInterrupted()) {
                throw cancelled.get();
            }
            log.debug("tool {} (call {}) failed", tool.name(), call.callId(), e);
            return failed(tool, toolContext, new ToolError(tool.name(), call.callId(), ToolError.Kind.FAILED, Callbacks.message(e), e));
        }
    }

    /** A tool that returned an agent hands the conversation to it; the loop carries the handoff out. */
    private ToolOutcome handOff(Agent<?> target) {
        Agent<?> known = handoffTargets.putIfAbsent(target.name(), target);
        if (known != null && known != target) {
            throw new UserError("Tools of this run returned two different agents named '" + target.name()
                    + "' to hand off to: agent names must be unique");
        }
        return new ToolOutcome("Handing the conversation to " + target.name() + ".", false, List.of(), null, target.name(), List.of());
    }

    /** A failed call: an error output the model reads, or, for a tool set to raise, the end of the run. */
    private ToolOutcome failed(Tool<C> tool, ToolContext<C> toolContext, ToolError error) {
        if (tool.failureMode() == ToolFailureMode.RAISE) {
            throw new ToolCallFailed(error, toolContext.agent());
        }
        return error(tool, error);
    }

    private static <C> Object callWithTimeout(Tool<C> tool, ToolContext<C> context, String arguments, Duration timeout)
            throws Exception {
        FutureTask<Object> task = new FutureTask<>(() -> tool.call(context, arguments));
        Thread thread = Thread.ofVirtual().name("baton-tool-" + tool.name()).start(task);
        try {
            return task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw e;
        } catch (InterruptedException e) {
            InMemoryEngine.stop(List.of(task), List.of(thread));
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw (Error) e.getCause();
        }
    }

    private ToolOutcome error(@Nullable Tool<C> tool, ToolError error) {
        ToolErrorFormatter formatter = tool != null && tool.errorFormatter() != null ? tool.errorFormatter() : config.toolErrorFormatter();
        String text;
        try {
            text = formatter.format(error);
        } catch (RuntimeException e) {
            log.warn("tool error formatter failed; using the default wording", e);
            text = null;
        }
        if (text == null) {
            text = ToolErrorFormatter.defaultFormatter().format(error);
        }
        return new ToolOutcome(text, true);
    }

    private static String human(@Nullable Duration d) {
        if (d == null) {
            return "the time limit";
        }
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
