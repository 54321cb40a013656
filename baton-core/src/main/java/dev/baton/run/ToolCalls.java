package dev.baton.run;

import dev.baton.RunCancelled;
import dev.baton.ToolCallFailed;
import dev.baton.UserError;
import dev.baton.ToolGuardrailTripwireTriggered;
import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.guardrail.ToolGuardrail;
import dev.baton.item.ToolCall;
import dev.baton.schema.InvalidArgumentsException;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolContext;
import dev.baton.tool.ToolError;
import dev.baton.tool.ToolErrorFormatter;
import dev.baton.tool.ToolFailureMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the tool calls of one turn: concurrently on virtual threads (bounded by
 * {@link RunConfig#maxConcurrentTools()}), outputs kept in call order. Every failure a model can
 * recover from becomes an error output, unless the tool is set to raise; cancellation and
 * configuration errors stop the run.
 */
final class ToolCalls<C> {
    private static final Logger log = LoggerFactory.getLogger(ToolCalls.class);

    /** A call to run; {@code tool} is null when the agent offers no tool of that name. */
    record Pending<C>(ToolCall call, @Nullable Tool<C> tool) {}

    /**
     * What the model reads for a call, and the tool guardrails that checked it; {@code handoffTo}
     * names the agent the tool handed the conversation to (see {@link #handoffTargets()}).
     */
    record Outcome(String output, boolean error, List<GuardrailResult> guardrails, @Nullable RunState paused,
            @Nullable String handoffTo) {
        Outcome(String output, boolean error) {
            this(output, error, List.of(), null, null);
        }

        Outcome(String output, boolean error, List<GuardrailResult> guardrails) {
            this(output, error, guardrails, null, null);
        }

        Outcome withGuardrails(String newOutput, List<GuardrailResult> checked) {
            return new Outcome(newOutput, error, checked, paused, handoffTo);
        }
    }

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

    private final @Nullable Journaling journaling;
    /** The loop's turn, part of each journaled call's key. */
    private int turn;

    ToolCalls(RunConfig config, HookCalls<C> hooks, RunTrace trace, Runnable checkCancelled, Supplier<RunCancelled> cancelled,
            @Nullable Journaling journaling) {
        this.journaling = journaling;
        this.config = config;
        this.hooks = hooks;
        this.trace = trace;
        this.checkCancelled = checkCancelled;
        this.cancelled = cancelled;
    }

    void turn(int turn) {
        this.turn = turn;
    }

    List<Outcome> runAll(List<Pending<C>> calls, RunContext<C> ctx, Agent<C> agent, Set<String> toolNames, Set<String> handoffNames) {
        if (calls.size() == 1) {
            return List.of(runOne(calls.get(0), ctx, agent, toolNames, handoffNames));
        }
        Semaphore permits = new Semaphore(config.maxConcurrentTools());
        List<FutureTask<Outcome>> tasks = new ArrayList<>(calls.size());
        List<Thread> threads = new ArrayList<>(calls.size());
        for (Pending<C> p : calls) {
            FutureTask<Outcome> task = new FutureTask<>(() -> {
                permits.acquire();
                try {
                    return runOne(p, ctx, agent, toolNames, handoffNames);
                } finally {
                    permits.release();
                }
            });
            tasks.add(task);
            threads.add(Thread.ofVirtual().name("baton-tool-" + p.call().name()).start(task));
        }
        Outcome[] outcomes = new Outcome[calls.size()];
        try {
            for (int i = 0; i < tasks.size(); i++) {
                outcomes[i] = tasks.get(i).get();
            }
        } catch (InterruptedException e) {
            stop(tasks, threads);
            Thread.currentThread().interrupt();
            throw cancelled.get();
        } catch (ExecutionException e) {
            stop(tasks, threads);
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
        return Arrays.asList(outcomes);
    }

    /** How long a stopped run waits for tool calls that ignore their interrupt. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /**
     * Interrupts the calls and waits (bounded) for them to end, so a tool that ignores interrupts
     * (a blocking driver, a payment SDK) is not still running when the session passes to the next run.
     */
    private static void stop(List<? extends java.util.concurrent.Future<?>> tasks, List<Thread> threads) {
        tasks.forEach(t -> t.cancel(true));
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.warn("tool call thread {} still running {} after its run stopped", t.getName(), STOP_GRACE);
                    break;
                }
                try {
                    t.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private Outcome runOne(Pending<C> pending, RunContext<C> ctx, Agent<C> agent, Set<String> toolNames, Set<String> handoffNames) {
        checkCancelled.run();
        ToolCall call = pending.call();
        Tool<C> tool = pending.tool();
        if (tool == null) {
            return error(null, new ToolError(call.name(), call.callId(), ToolError.Kind.UNKNOWN_TOOL,
                    "there is no tool named '" + call.name() + "'. Available tools: " + toolNames
                            + (handoffNames.isEmpty() ? "" : "; handoffs: " + handoffNames), null));
        }
        if (trace.on()) {
            dev.baton.trace.Tracer.ActiveSpan span = trace.toolStarted(agent.name(), tool, call.callId(), call.arguments());
            ToolContext<C> toolContext = new ToolContext<>(ctx, agent.name(), tool.name(), call.callId(), call.arguments(),
                    resumeStates.get(call.callId()), span);
            Outcome outcome;
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

    private Outcome untraced(Tool<C> tool, ToolContext<C> toolContext, RunContext<C> ctx, Agent<C> agent, ToolCall call) {
        if (tool.guardrails().isEmpty()) {
            hooks.toolStart(ctx, agent, tool, call.callId(), call.arguments());
            Outcome outcome = invoke(tool, toolContext, call);
            hooks.toolEnd(ctx, agent, tool, call.callId(), outcome.output());
            return outcome;
        }
        return guarded(tool, toolContext, ctx, agent, call);
    }

    /** A call through the tool's guardrails: input ones before it runs, output ones on its result. */
    private Outcome guarded(Tool<C> tool, ToolContext<C> toolContext, RunContext<C> ctx, Agent<C> agent, ToolCall call) {
        List<GuardrailResult> results = new ArrayList<>();
        for (ToolGuardrail<C> g : tool.guardrails()) {
            if (g.isInput()) {
                ToolGuardrail.Decision d = decide(g, () -> g.checkInput(toolContext, call.arguments()));
                GuardrailResult r = result(g, GuardrailResult.Kind.TOOL_INPUT, agent, call, d);
                results.add(r);
                if (d instanceof ToolGuardrail.Decision.Raise) {
                    throw new ToolGuardrailTripwireTriggered(r);
                }
                if (d instanceof ToolGuardrail.Decision.Replace replace) {
                    return new Outcome(replace.message(), false, results);
                }
            }
        }
        hooks.toolStart(ctx, agent, tool, call.callId(), call.arguments());
        Outcome outcome = invoke(tool, toolContext, call);
        String output = outcome.output();
        if (!outcome.error()) {
            for (ToolGuardrail<C> g : tool.guardrails()) {
                if (!g.isInput()) {
                    String seen = output;
                    ToolGuardrail.Decision d = decide(g, () -> g.checkOutput(toolContext, call.arguments(), seen));
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
            throw new dev.baton.CallbackFailed("The tool guardrail '" + g.name() + "' failed: " + RunLoop.message(e), e);
        }
    }

    private static GuardrailResult result(ToolGuardrail<?> g, GuardrailResult.Kind kind, Agent<?> agent, ToolCall call,
            ToolGuardrail.Decision d) {
        return new GuardrailResult(g.name(), kind, agent.name(), call.callId(), !(d instanceof ToolGuardrail.Decision.Allow), d.info());
    }

    /** Runs the tool, or, in a journaled run, replays its recorded outcome. */
    private Outcome invoke(Tool<C> tool, ToolContext<C> toolContext, ToolCall call) {
        Journaling j = journaling;
        if (j == null) {
            return perform(tool, toolContext, call);
        }
        return j.tool(turn, call.callId(), toolContext.agent(), tool.name(), call.arguments(), () -> perform(tool, toolContext, call));
    }

    private Outcome perform(Tool<C> tool, ToolContext<C> toolContext, ToolCall call) {
        try {
            Object value = tool.timeout() == null
                    ? tool.call(toolContext, call.arguments())
                    : callWithTimeout(tool, toolContext, call.arguments(), tool.timeout());
            if (value instanceof Agent<?> target) {
                return handOff(target);
            }
            return new Outcome(ToolOutputs.toText(value), false);
        } catch (ToolPaused paused) {
            return new Outcome("", false, List.of(), paused.state, null);
        } catch (InvalidArgumentsException e) {
            return failed(tool, toolContext, new ToolError(tool.name(), call.callId(), ToolError.Kind.INVALID_ARGUMENTS,
                    RunLoop.message(e), e));
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
            return failed(tool, toolContext, new ToolError(tool.name(), call.callId(), ToolError.Kind.FAILED, RunLoop.message(e), e));
        }
    }

    /** A tool that returned an agent hands the conversation to it; the loop carries the handoff out. */
    private Outcome handOff(Agent<?> target) {
        Agent<?> known = handoffTargets.putIfAbsent(target.name(), target);
        if (known != null && known != target) {
            throw new UserError("Tools of this run returned two different agents named '" + target.name()
                    + "' to hand off to: agent names must be unique");
        }
        return new Outcome("Handing the conversation to " + target.name() + ".", false, List.of(), null, target.name());
    }

    /** A failed call: an error output the model reads, or, for a tool set to raise, the end of the run. */
    private Outcome failed(Tool<C> tool, ToolContext<C> toolContext, ToolError error) {
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
            stop(List.of(task), List.of(thread));
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw (Error) e.getCause();
        }
    }

    private Outcome error(@Nullable Tool<C> tool, ToolError error) {
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
        return new Outcome(text, true);
    }

    private static String human(@Nullable Duration d) {
        if (d == null) {
            return "the time limit";
        }
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
