package dev.baton.run;

import dev.baton.model.Usage;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What tools, instructions, handoff callbacks and enabling checks see of a run: the
 * application's context object (a customer, a ticket, services), the run id, the session, and
 * usage so far. One instance lives for a whole run and is shared by every agent in it.
 */
public final class RunContext<C> {
    private final @Nullable C context;
    private final String runId;
    private final @Nullable String sessionId;
    private final @Nullable Runner runner;
    private final RunOptions<C> options;
    private final Map<String, Usage> usageByAgent = new java.util.LinkedHashMap<>(4);
    private volatile Usage usage = Usage.zero();
    private volatile RunTrace trace = RunTrace.off();
    private volatile Map<String, RunState.Decision> toolDecisions = Map.of();
    private volatile @Nullable NestedEvents nestedEvents;

    RunContext(@Nullable C context, String runId, @Nullable String sessionId, @Nullable Runner runner, RunOptions<C> options) {
        this.context = context;
        this.runId = runId;
        this.sessionId = sessionId;
        this.runner = runner;
        this.options = options;
    }

    /** A context outside any run, for calling a tool or rendering instructions directly (tests). */
    public static <C> RunContext<C> of(@Nullable C context) {
        return new RunContext<>(context, newRunId(), null, null, RunOptions.none());
    }

    /**
     * A new run's id: {@code run_} and 32 hex digits, the current millisecond first, as durable runs'
     * ids, so that rows a store keys by it (a session's usage per run) sort by time (decision 63).
     */
    static String newRunId() {
        return "run_" + dev.baton.internal.TimeOrderedIds.hex32();
    }

    /** The application's context object given to the run, or null if none was given. */
    public @Nullable C context() {
        return context;
    }

    public String runId() {
        return runId;
    }

    /** The session the run belongs to, if it has one. */
    public Optional<String> sessionId() {
        return Optional.ofNullable(sessionId);
    }

    /** The runner executing this run (a default runner outside a run), for nested runs. */
    public Runner runner() {
        return runner != null ? runner : Runner.create();
    }

    /** Usage of the run so far, nested agent-as-tool runs included. */
    public Usage usage() {
        return usage;
    }

    /** Usage so far per agent name. */
    public synchronized Map<String, Usage> usageByAgent() {
        return Map.copyOf(usageByAgent);
    }

    /**
     * Options for a run nested inside this one (an agent used as a tool, a guardrail agent): the
     * same context object, model override, model settings and turn limit; no session or listener.
     */
    public RunOptions<C> nestedRunOptions() {
        RunOptions<C> nested = RunOptions.<C>none().withContext(context);
        if (options.model() != null) {
            nested = nested.withModel(options.model());
        } else if (options.modelName() != null) {
            nested = nested.withModel(options.modelName());
        }
        if (options.modelSettings() != null) {
            nested = nested.withModelSettings(options.modelSettings());
        }
        if (options.maxTurns() != null) {
            nested = nested.withMaxTurns(options.maxTurns());
        }
        if (options.tracingDisabled()) {
            nested = nested.withTracingDisabled(true);
        }
        if (!toolDecisions.isEmpty()) {
            nested = nested.withInheritedToolDecisions(toolDecisions);
        }
        return nested;
    }

    void link(RunTrace runTrace, Map<String, RunState.Decision> decisions, @Nullable NestedEvents events) {
        this.trace = runTrace;
        this.toolDecisions = decisions;
        this.nestedEvents = events;
    }

    /**
     * Where the events of runs nested in this one go (this run's stream and listener), and whether
     * this run streams; null when nobody reads this run's events.
     */
    record NestedEvents(java.util.function.Consumer<RunEvent.Nested> sink, boolean streaming) {}

    @Nullable NestedEvents nestedEvents() {
        return nestedEvents;
    }

    RunTrace trace() {
        return trace;
    }

    /** The run's options, for nested runs to inherit model choices from. */
    RunOptions<C> options() {
        return options;
    }

    synchronized void addUsage(String agent, Usage delta) {
        usage = usage.plus(delta);
        usageByAgent.merge(agent, delta, Usage::plus);
    }

    /** Adds the usage of a nested run (agent as tool) to this run's. */
    void addNested(Map<String, Usage> nested) {
        nested.forEach(this::addUsage);
    }
}
