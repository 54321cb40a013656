package dev.baton.run;

import dev.baton.UserError;
import dev.baton.handoff.HandoffInputFilter;
import dev.baton.handoff.HistoryNesting;
import dev.baton.handoff.TransferMessage;
import dev.baton.hook.RunHooks;
import dev.baton.model.Model;
import dev.baton.model.ModelSettings;
import dev.baton.session.Session;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Options of one run. Start from {@link #none()}, {@link #session(String)} or
 * {@link #context(Object)} and refine with the {@code with...} methods; each returns a copy.
 * Unset options fall back to the runner's {@link RunConfig}.
 *
 * <pre>{@code
 * runner.run(triage, "I was charged twice", RunOptions.session("ticket-42").withContext(customer));
 * }</pre>
 */
public final class RunOptions<C> {
    /** The turn limit of a run that has none: see {@link #withoutTurnLimit()}. */
    public static final int NO_TURN_LIMIT = Integer.MAX_VALUE;

    /** How long a run waits for its session while another run holds it, unless told otherwise. */
    public static final java.time.Duration DEFAULT_SESSION_WAIT = java.time.Duration.ofMinutes(5);

    /** How long a run's hold on its session lasts unless renewed, unless told otherwise; see {@link #withSessionLease}. */
    public static final java.time.Duration DEFAULT_SESSION_LEASE = java.time.Duration.ofSeconds(30);

    private static final RunOptions<Object> NONE = new RunOptions<>(new Fields<>());

    /** The option values; copied on every change so instances stay immutable. */
    private static final class Fields<C> implements Cloneable {
        @Nullable C context;
        @Nullable String sessionId;
        @Nullable Session session;
        java.time.@Nullable Duration sessionWait;
        java.time.@Nullable Duration sessionLease;
        @Nullable Integer maxTurns;
        @Nullable String modelName;
        @Nullable Model model;
        @Nullable ModelSettings modelSettings;
        @Nullable HandoffInputFilter handoffInputFilter;
        @Nullable Boolean nestHandoffHistory;
        @Nullable HistoryNesting historyNesting;
        @Nullable TransferMessage transferMessage;
        @Nullable Consumer<RunEvent> listener;
        @Nullable RunHooks<C> hooks;
        @Nullable RunErrorHandler errorHandler;
        boolean tracingDisabled;
        java.util.Map<String, RunState.Decision> inheritedToolDecisions = java.util.Map.of();
        @Nullable TraceParent traceParent;
        @Nullable Engine engine;
        java.util.List<ModelInterceptor> modelInterceptors = java.util.List.of();
        java.util.List<ToolInterceptor> toolInterceptors = java.util.List.of();
        @Nullable String workflowName;
        java.util.Map<String, Object> traceMetadata = java.util.Map.of();
        java.util.List<dev.baton.guardrail.InputGuardrail<C>> inputGuardrails = java.util.List.of();
        java.util.List<dev.baton.guardrail.OutputGuardrail<C>> outputGuardrails = java.util.List.of();

        @SuppressWarnings("unchecked")
        <D> Fields<D> copy() {
            try {
                return (Fields<D>) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private final Fields<C> f;

    private RunOptions(Fields<C> fields) {
        this.f = fields;
    }

    private <D> RunOptions<D> with(Consumer<Fields<D>> change) {
        Fields<D> copy = f.copy();
        change.accept(copy);
        return new RunOptions<>(copy);
    }

    /** No options: the runner's defaults. */
    @SuppressWarnings("unchecked")
    public static <C> RunOptions<C> none() {
        return (RunOptions<C>) NONE;
    }

    /** A run on a session of the runner's store. */
    public static <C> RunOptions<C> session(String sessionId) {
        return RunOptions.<C>none().withSession(sessionId);
    }

    /** A run with this context object. */
    public static <C> RunOptions<C> context(C context) {
        return RunOptions.<C>none().withContext(context);
    }

    /** The application object tools and callbacks receive. */
    public @Nullable C context() {
        return f.context;
    }

    /** A session in the runner's {@link RunConfig#sessionStore()}. */
    public @Nullable String sessionId() {
        return f.sessionId;
    }

    /** A session in a store of its own (wins over {@link #sessionId()}). */
    public @Nullable Session session() {
        return f.session;
    }

    /** How long the run waits for its session while another run holds it (zero: it does not wait), or null for the runner's. */
    public java.time.@Nullable Duration sessionWait() {
        return f.sessionWait;
    }

    /** How long the run's hold on its session lasts without renewal, or null for the runner's. */
    public java.time.@Nullable Duration sessionLease() {
        return f.sessionLease;
    }

    /** Turn limit ({@link #NO_TURN_LIMIT} for none), or null for the runner's. */
    public @Nullable Integer maxTurns() {
        return f.maxTurns;
    }

    /** Model for every agent of the run, by name (overrides the agents'). */
    public @Nullable String modelName() {
        return f.modelName;
    }

    /** Model for every agent of the run (overrides the agents' and {@link #modelName()}). */
    public @Nullable Model model() {
        return f.model;
    }

    /** Settings layered over each agent's. */
    public @Nullable ModelSettings modelSettings() {
        return f.modelSettings;
    }

    /** Filter for handoffs that have none of their own. */
    public @Nullable HandoffInputFilter handoffInputFilter() {
        return f.handoffInputFilter;
    }

    /** Whether handoffs collapse history, unless a handoff says otherwise. */
    public @Nullable Boolean nestHandoffHistory() {
        return f.nestHandoffHistory;
    }

    /** Wrapper text and mapper for nesting. */
    public @Nullable HistoryNesting historyNesting() {
        return f.historyNesting;
    }

    /** The text answering transfer calls, for handoffs without their own; null for the runner's. */
    public @Nullable TransferMessage transferMessage() {
        return f.transferMessage;
    }

    /** Receives every event as it happens, on the run's thread. */
    public @Nullable Consumer<RunEvent> listener() {
        return f.listener;
    }

    /** Lifecycle hooks for every agent of this run (in addition to the runner's). */
    public @Nullable RunHooks<C> hooks() {
        return f.hooks;
    }

    /** The same options with another context object (hooks set before are kept). */
    /** Turns max-turns or invalid structured output into a final output; see {@link RunErrorHandler}. */
    public @Nullable RunErrorHandler errorHandler() {
        return f.errorHandler;
    }

    /** Input guardrails for this run, in addition to the first agent's. */
    public java.util.List<dev.baton.guardrail.InputGuardrail<C>> inputGuardrails() {
        return f.inputGuardrails;
    }

    /** Output guardrails for this run, applied to whichever agent produces the final output. */
    public java.util.List<dev.baton.guardrail.OutputGuardrail<C>> outputGuardrails() {
        return f.outputGuardrails;
    }

    @SafeVarargs
    public final RunOptions<C> withInputGuardrails(dev.baton.guardrail.InputGuardrail<C>... values) {
        var all = new java.util.ArrayList<>(f.inputGuardrails);
        all.addAll(java.util.List.of(values));
        return with(x -> x.inputGuardrails = java.util.List.copyOf(all));
    }

    @SafeVarargs
    public final RunOptions<C> withOutputGuardrails(dev.baton.guardrail.OutputGuardrail<C>... values) {
        var all = new java.util.ArrayList<>(f.outputGuardrails);
        all.addAll(java.util.List.of(values));
        return with(x -> x.outputGuardrails = java.util.List.copyOf(all));
    }

    /** Whether this run reports no trace, whatever its runner's tracing setup. */
    public boolean tracingDisabled() {
        return f.tracingDisabled;
    }

    /** The trace's workflow name, or null for the runner's. */
    public @Nullable String workflowName() {
        return f.workflowName;
    }

    /** Metadata attached to the run's trace. */
    public java.util.Map<String, Object> traceMetadata() {
        return f.traceMetadata;
    }

    /** Where a nested run's spans go: under a tool call's span in the calling run's trace. */
    record TraceParent(RunTrace trace, dev.baton.trace.Tracer.ActiveSpan span) {}

    /** "Always" approval decisions a nested run inherits from the run that calls it. */
    java.util.Map<String, RunState.Decision> inheritedToolDecisions() {
        return f.inheritedToolDecisions;
    }

    @Nullable TraceParent traceParent() {
        return f.traceParent;
    }

    RunOptions<C> withInheritedToolDecisions(java.util.Map<String, RunState.Decision> value) {
        return with(x -> x.inheritedToolDecisions = java.util.Map.copyOf(value));
    }

    RunOptions<C> withTraceParent(@Nullable TraceParent value) {
        return with(x -> x.traceParent = value);
    }

    public RunOptions<C> withTracingDisabled(boolean value) {
        return with(x -> x.tracingDisabled = value);
    }

    public RunOptions<C> withWorkflowName(String value) {
        return with(x -> x.workflowName = Objects.requireNonNull(value, "workflowName"));
    }

    public RunOptions<C> withTraceMetadata(java.util.Map<String, Object> value) {
        return with(x -> x.traceMetadata = java.util.Map.copyOf(value));
    }

    public RunOptions<C> withErrorHandler(RunErrorHandler value) {
        return with(x -> x.errorHandler = value);
    }

    public <D> RunOptions<D> withContext(@Nullable D value) {
        return this.<D>with(x -> x.context = value);
    }

    /** @throws UserError for a null or blank id: a run must not silently forget its conversation */
    public RunOptions<C> withSession(String value) {
        if (value == null || value.isBlank()) {
            throw new UserError("A session id must not be " + (value == null ? "null" : "blank"));
        }
        return with(x -> {
            x.sessionId = value;
            x.session = null;
        });
    }

    public RunOptions<C> withSession(Session value) {
        Objects.requireNonNull(value, "session");
        return with(x -> {
            x.session = value;
            x.sessionId = null;
        });
    }

    /**
     * How long the run waits for its session while another run holds it, in this process or in
     * another sharing the store (unless set, the runner's {@link RunConfig#sessionWait()},
     * {@link #DEFAULT_SESSION_WAIT} by default). When the wait ends
     * the run fails with {@link dev.baton.SessionBusy}, having read and written nothing.
     * {@link java.time.Duration#ZERO} refuses at once instead of waiting.
     *
     * @throws IllegalArgumentException for a negative wait
     */
    public RunOptions<C> withSessionWait(java.time.Duration value) {
        checkSessionWait(value);
        return with(x -> x.sessionWait = value);
    }

    static java.time.Duration checkSessionWait(java.time.Duration value) {
        Objects.requireNonNull(value, "sessionWait");
        if (value.isNegative()) {
            throw new IllegalArgumentException("sessionWait must not be negative, got " + value);
        }
        return value;
    }

    static java.time.Duration checkSessionLease(java.time.Duration value) {
        Objects.requireNonNull(value, "sessionLease");
        if (value.compareTo(java.time.Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("sessionLease must be at least 100 ms, got " + value);
        }
        return value;
    }

    /**
     * How long the run's hold on its session lasts unless renewed (unless set, the runner's
     * {@link RunConfig#sessionLease()}, {@link #DEFAULT_SESSION_LEASE} by default). The run renews it while it goes on, and gives it back when it ends; this is
     * how long other runs wait for a session whose process died holding it. Shorter frees such a
     * session sooner; longer tolerates longer pauses (a stalled database, a full garbage
     * collection) before another run may take the session over.
     *
     * @throws IllegalArgumentException for a lease under 100 milliseconds
     */
    public RunOptions<C> withSessionLease(java.time.Duration value) {
        checkSessionLease(value);
        return with(x -> x.sessionLease = value);
    }

    /**
     * At most {@code value} model calls of the run's own agents; past them the run fails with
     * {@link dev.baton.MaxTurnsExceeded} (or goes to the {@link #errorHandler()}).
     */
    public RunOptions<C> withMaxTurns(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("maxTurns must be at least 1, got " + value);
        }
        return with(x -> x.maxTurns = value);
    }

    /**
     * No turn limit: the run goes on until an agent gives a final output (or it is cancelled).
     * Only for agents that are sure to end, such as a human-paced chat; a model that loops on
     * tool calls then runs, and costs, until cancelled.
     */
    public RunOptions<C> withoutTurnLimit() {
        return with(x -> x.maxTurns = NO_TURN_LIMIT);
    }

    /** A limit read back from a run state: a positive count or {@link #NO_TURN_LIMIT}. */
    RunOptions<C> withTurnLimit(int value) {
        return value == NO_TURN_LIMIT ? withoutTurnLimit() : withMaxTurns(value);
    }

    public RunOptions<C> withModel(String value) {
        return with(x -> {
            x.modelName = value;
            x.model = null;
        });
    }

    public RunOptions<C> withModel(Model value) {
        return with(x -> {
            x.model = value;
            x.modelName = null;
        });
    }

    public RunOptions<C> withModelSettings(ModelSettings value) {
        return with(x -> x.modelSettings = value);
    }

    public RunOptions<C> withHandoffInputFilter(HandoffInputFilter value) {
        return with(x -> x.handoffInputFilter = value);
    }

    public RunOptions<C> withNestedHandoffHistory(boolean value) {
        return with(x -> x.nestHandoffHistory = value);
    }

    public RunOptions<C> withHistoryNesting(HistoryNesting value) {
        return with(x -> {
            x.historyNesting = value;
            x.nestHandoffHistory = true;
        });
    }

    /**
     * The text the target agent reads as the answer to the transfer call, for this run's handoffs
     * that set none of their own; wins over the runner's (see {@link TransferMessage}).
     */
    public RunOptions<C> withTransferMessage(TransferMessage value) {
        Objects.requireNonNull(value, "transferMessage");
        return with(x -> x.transferMessage = value);
    }

    /**
     * The engine that performs the run's steps (see {@link Engine}); null for
     * {@link Engine#inMemory()}. A durable runner ({@code dev.baton.durable.DurableWorker}) sets
     * a journaled one; tests may set one with a fixed clock. Nested runs (agents used as tools)
     * do not inherit it: their work is inside the tool call, which is the parent's step.
     */
    public RunOptions<C> withEngine(@Nullable Engine value) {
        return with(x -> x.engine = value);
    }

    /**
     * Adds a link to this run's chain around model calls, after the runner's links (see
     * {@link ModelInterceptor}); nested runs do not inherit it.
     */
    public RunOptions<C> withModelInterceptor(ModelInterceptor value) {
        Objects.requireNonNull(value, "modelInterceptor");
        return with(x -> x.modelInterceptors = append(x.modelInterceptors, value));
    }

    /**
     * Adds a link to this run's chain around tool calls, after the runner's links (see
     * {@link ToolInterceptor}); nested runs do not inherit it.
     */
    public RunOptions<C> withToolInterceptor(ToolInterceptor value) {
        Objects.requireNonNull(value, "toolInterceptor");
        return with(x -> x.toolInterceptors = append(x.toolInterceptors, value));
    }

    /** The run's own model interceptors, in order. */
    public java.util.List<ModelInterceptor> modelInterceptors() {
        return f.modelInterceptors;
    }

    /** The run's own tool interceptors, in order. */
    public java.util.List<ToolInterceptor> toolInterceptors() {
        return f.toolInterceptors;
    }

    private static <T> java.util.List<T> append(java.util.List<T> list, T value) {
        java.util.List<T> out = new java.util.ArrayList<>(list);
        out.add(value);
        return java.util.List.copyOf(out);
    }

    /** The engine of the run, or null for the in-memory one. */
    public @Nullable Engine engine() {
        return f.engine;
    }

    public RunOptions<C> withListener(Consumer<RunEvent> value) {
        return with(x -> x.listener = value);
    }

    public RunOptions<C> withHooks(RunHooks<C> value) {
        return with(x -> x.hooks = value);
    }
}
