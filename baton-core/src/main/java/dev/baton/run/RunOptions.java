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

    private static final RunOptions<Object> NONE = new RunOptions<>(null, null, null, null, null, null,
            null, null, null, null, null, null, null,
            null, null, null, false, java.util.Map.of(), null, null,
            java.util.List.of(), java.util.List.of(), null, java.util.Map.of(), java.util.List.of(), java.util.List.of(), false);

    // Every option is a final field; each wither builds the next instance from all of them, so a
    // copy cannot share or lose state. The constructor takes the fields in declaration order.
    private final @Nullable C context;
    private final @Nullable String sessionId;
    private final @Nullable Session session;
    private final java.time.@Nullable Duration sessionWait;
    private final java.time.@Nullable Duration sessionLease;
    private final @Nullable Integer maxTurns;
    private final @Nullable String modelName;
    private final @Nullable Model model;
    private final @Nullable ModelSettings modelSettings;
    private final @Nullable HandoffInputFilter handoffInputFilter;
    private final @Nullable Boolean nestHandoffHistory;
    private final @Nullable HistoryNesting historyNesting;
    private final @Nullable TransferMessage transferMessage;
    private final @Nullable Consumer<RunEvent> listener;
    private final @Nullable RunHooks<C> hooks;
    private final @Nullable RunErrorHandler errorHandler;
    private final boolean tracingDisabled;
    private final java.util.Map<String, RunState.Decision> inheritedToolDecisions;
    private final @Nullable TraceParent traceParent;
    private final @Nullable Engine engine;
    private final java.util.List<ModelInterceptor> modelInterceptors;
    private final java.util.List<ToolInterceptor> toolInterceptors;
    private final @Nullable String workflowName;
    private final java.util.Map<String, Object> traceMetadata;
    private final java.util.List<dev.baton.guardrail.InputGuardrail<C>> inputGuardrails;
    private final java.util.List<dev.baton.guardrail.OutputGuardrail<C>> outputGuardrails;
    private final boolean handoffsToCaller;

    private RunOptions(@Nullable C context, @Nullable String sessionId, @Nullable Session session,
            java.time.@Nullable Duration sessionWait, java.time.@Nullable Duration sessionLease, @Nullable Integer maxTurns,
            @Nullable String modelName, @Nullable Model model, @Nullable ModelSettings modelSettings,
            @Nullable HandoffInputFilter handoffInputFilter, @Nullable Boolean nestHandoffHistory,
            @Nullable HistoryNesting historyNesting, @Nullable TransferMessage transferMessage,
            @Nullable Consumer<RunEvent> listener, @Nullable RunHooks<C> hooks, @Nullable RunErrorHandler errorHandler,
            boolean tracingDisabled, java.util.Map<String, RunState.Decision> inheritedToolDecisions,
            @Nullable TraceParent traceParent, @Nullable Engine engine,
            java.util.List<ModelInterceptor> modelInterceptors, java.util.List<ToolInterceptor> toolInterceptors,
            @Nullable String workflowName, java.util.Map<String, Object> traceMetadata,
            java.util.List<dev.baton.guardrail.InputGuardrail<C>> inputGuardrails,
            java.util.List<dev.baton.guardrail.OutputGuardrail<C>> outputGuardrails, boolean handoffsToCaller) {
        this.context = context;
        this.sessionId = sessionId;
        this.session = session;
        this.sessionWait = sessionWait;
        this.sessionLease = sessionLease;
        this.maxTurns = maxTurns;
        this.modelName = modelName;
        this.model = model;
        this.modelSettings = modelSettings;
        this.handoffInputFilter = handoffInputFilter;
        this.nestHandoffHistory = nestHandoffHistory;
        this.historyNesting = historyNesting;
        this.transferMessage = transferMessage;
        this.listener = listener;
        this.hooks = hooks;
        this.errorHandler = errorHandler;
        this.tracingDisabled = tracingDisabled;
        this.inheritedToolDecisions = inheritedToolDecisions;
        this.traceParent = traceParent;
        this.engine = engine;
        this.modelInterceptors = modelInterceptors;
        this.toolInterceptors = toolInterceptors;
        this.workflowName = workflowName;
        this.traceMetadata = traceMetadata;
        this.inputGuardrails = inputGuardrails;
        this.outputGuardrails = outputGuardrails;
        this.handoffsToCaller = handoffsToCaller;
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
        return context;
    }

    /** A session in the runner's {@link RunConfig#sessionStore()}. */
    public @Nullable String sessionId() {
        return sessionId;
    }

    /** A session in a store of its own (wins over {@link #sessionId()}). */
    public @Nullable Session session() {
        return session;
    }

    /** How long the run waits for its session while another run holds it (zero: it does not wait), or null for the runner's. */
    public java.time.@Nullable Duration sessionWait() {
        return sessionWait;
    }

    /** How long the run's hold on its session lasts without renewal, or null for the runner's. */
    public java.time.@Nullable Duration sessionLease() {
        return sessionLease;
    }

    /** Turn limit ({@link #NO_TURN_LIMIT} for none), or null for the runner's. */
    public @Nullable Integer maxTurns() {
        return maxTurns;
    }

    /** Model for every agent of the run, by name (overrides the agents'). */
    public @Nullable String modelName() {
        return modelName;
    }

    /** Model for every agent of the run (overrides the agents' and {@link #modelName()}). */
    public @Nullable Model model() {
        return model;
    }

    /** Settings layered over each agent's. */
    public @Nullable ModelSettings modelSettings() {
        return modelSettings;
    }

    /** Filter for handoffs that have none of their own. */
    public @Nullable HandoffInputFilter handoffInputFilter() {
        return handoffInputFilter;
    }

    /** Whether handoffs collapse history, unless a handoff says otherwise. */
    public @Nullable Boolean nestHandoffHistory() {
        return nestHandoffHistory;
    }

    /** Wrapper text and mapper for nesting. */
    public @Nullable HistoryNesting historyNesting() {
        return historyNesting;
    }

    /** The text answering transfer calls, for handoffs without their own; null for the runner's. */
    public @Nullable TransferMessage transferMessage() {
        return transferMessage;
    }

    /** Receives every event as it happens, on the run's thread. */
    public @Nullable Consumer<RunEvent> listener() {
        return listener;
    }

    /** Lifecycle hooks for every agent of this run (in addition to the runner's). */
    public @Nullable RunHooks<C> hooks() {
        return hooks;
    }

    /** Turns max-turns or invalid structured output into a final output; see {@link RunErrorHandler}. */
    public @Nullable RunErrorHandler errorHandler() {
        return errorHandler;
    }

    /** Input guardrails for this run, in addition to the first agent's. */
    public java.util.List<dev.baton.guardrail.InputGuardrail<C>> inputGuardrails() {
        return inputGuardrails;
    }

    /** Output guardrails for this run, applied to whichever agent produces the final output. */
    public java.util.List<dev.baton.guardrail.OutputGuardrail<C>> outputGuardrails() {
        return outputGuardrails;
    }

    @SafeVarargs
    public final RunOptions<C> withInputGuardrails(dev.baton.guardrail.InputGuardrail<C>... values) {
        var all = new java.util.ArrayList<>(inputGuardrails);
        all.addAll(java.util.List.of(values));
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, java.util.List.copyOf(all), outputGuardrails, handoffsToCaller);
    }

    @SafeVarargs
    public final RunOptions<C> withOutputGuardrails(dev.baton.guardrail.OutputGuardrail<C>... values) {
        var all = new java.util.ArrayList<>(outputGuardrails);
        all.addAll(java.util.List.of(values));
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, java.util.List.copyOf(all), handoffsToCaller);
    }

    /** Whether this run reports no trace, whatever its runner's tracing setup. */
    public boolean tracingDisabled() {
        return tracingDisabled;
    }

    /** The trace's workflow name, or null for the runner's. */
    public @Nullable String workflowName() {
        return workflowName;
    }

    /** Metadata attached to the run's trace. */
    public java.util.Map<String, Object> traceMetadata() {
        return traceMetadata;
    }

    /** Where a nested run's spans go: under a tool call's span in the calling run's trace. */
    record TraceParent(RunTrace trace, dev.baton.trace.Tracer.ActiveSpan span) {}

    /** "Always" approval decisions a nested run inherits from the run that calls it. */
    java.util.Map<String, RunState.Decision> inheritedToolDecisions() {
        return inheritedToolDecisions;
    }

    @Nullable TraceParent traceParent() {
        return traceParent;
    }

    RunOptions<C> withInheritedToolDecisions(java.util.Map<String, RunState.Decision> value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, java.util.Map.copyOf(value), traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    RunOptions<C> withTraceParent(@Nullable TraceParent value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, value, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    public RunOptions<C> withTracingDisabled(boolean value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, value, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    public RunOptions<C> withWorkflowName(String value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, Objects.requireNonNull(value, "workflowName"), traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    public RunOptions<C> withTraceMetadata(java.util.Map<String, Object> value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, java.util.Map.copyOf(value), inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    public RunOptions<C> withErrorHandler(RunErrorHandler value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, value, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    /** The same options with another context object (hooks and guardrails set before are kept). */
    public <D> RunOptions<D> withContext(@Nullable D value) {
        return new RunOptions<D>(value, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, retyped(hooks), errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, retyped(inputGuardrails), retyped(outputGuardrails), handoffsToCaller);
    }

    /** @throws UserError for a null or blank id: a run must not silently forget its conversation */
    public RunOptions<C> withSession(String value) {
        if (value == null || value.isBlank()) {
            throw new UserError("A session id must not be " + (value == null ? "null" : "blank"));
        }
        return new RunOptions<>(context, value, null, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    public RunOptions<C> withSession(Session value) {
        Objects.requireNonNull(value, "session");
        return new RunOptions<>(context, null, value, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
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
        return new RunOptions<>(context, sessionId, session, value, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
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
        return new RunOptions<>(context, sessionId, session, sessionWait, value, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    /**
     * At most {@code value} model calls of the run's own agents; past them the run fails with
     * {@link dev.baton.MaxTurnsExceeded} (or goes to the {@link #errorHandler()}).
     */
    public RunOptions<C> withMaxTurns(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("maxTurns must be at least 1, got " + value);
        }
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, value,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    /**
     * No turn limit: the run goes on until an agent gives a final output (or it is cancelled).
     * Only for agents that are sure to end, such as a human-paced chat; a model that loops on
     * tool calls then runs, and costs, until cancelled.
     */
    public RunOptions<C> withoutTurnLimit() {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, NO_TURN_LIMIT,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    /** A limit read back from a run state: a positive count or {@link #NO_TURN_LIMIT}. */
    RunOptions<C> withTurnLimit(int value) {
        return value == NO_TURN_LIMIT ? withoutTurnLimit() : withMaxTurns(value);
    }

    public RunOptions<C> withModel(String value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                value, null, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    public RunOptions<C> withModel(Model value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                null, value, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    public RunOptions<C> withModelSettings(ModelSettings value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, value, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    public RunOptions<C> withHandoffInputFilter(HandoffInputFilter value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, value, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    public RunOptions<C> withNestedHandoffHistory(boolean value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, value, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    public RunOptions<C> withHistoryNesting(HistoryNesting value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, true, value, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    /**
     * The text the target agent reads as the answer to the transfer call, for this run's handoffs
     * that set none of their own; wins over the runner's (see {@link TransferMessage}).
     */
    public RunOptions<C> withTransferMessage(TransferMessage value) {
        Objects.requireNonNull(value, "transferMessage");
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, value,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    /**
     * The engine that performs the run's steps (see {@link Engine}); null for
     * {@link Engine#inMemory()}. A durable runner ({@code dev.baton.durable.DurableWorker}) sets
     * a journaled one; tests may set one with a fixed clock. Nested runs (agents used as tools)
     * do not inherit it: their work is inside the tool call, which is the parent's step.
     */
    public RunOptions<C> withEngine(@Nullable Engine value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, value,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    /**
     * Adds a link to this run's chain around model calls, after the runner's links (see
     * {@link ModelInterceptor}); nested runs do not inherit it.
     */
    public RunOptions<C> withModelInterceptor(ModelInterceptor value) {
        Objects.requireNonNull(value, "modelInterceptor");
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                append(modelInterceptors, value), toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    /**
     * Adds a link to this run's chain around tool calls, after the runner's links (see
     * {@link ToolInterceptor}); nested runs do not inherit it.
     */
    public RunOptions<C> withToolInterceptor(ToolInterceptor value) {
        Objects.requireNonNull(value, "toolInterceptor");
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, append(toolInterceptors, value), workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    /** The run's own model interceptors, in order. */
    public java.util.List<ModelInterceptor> modelInterceptors() {
        return modelInterceptors;
    }

    /** The run's own tool interceptors, in order. */
    public java.util.List<ToolInterceptor> toolInterceptors() {
        return toolInterceptors;
    }

    // Hooks and guardrails only consume the context (see Agent's narrow): the ones set before
    // withContext serve the new context type as they served the old.
    @SuppressWarnings("unchecked")
    private static <T extends @Nullable Object> T retyped(@Nullable Object value) {
        return (T) value;
    }

    private static <T> java.util.List<T> append(java.util.List<T> list, T value) {
        java.util.List<T> out = new java.util.ArrayList<>(list);
        out.add(value);
        return java.util.List.copyOf(out);
    }

    /** The engine of the run, or null for the in-memory one. */
    public @Nullable Engine engine() {
        return engine;
    }

    /** Whether handoffs end the run and go back to the caller; see {@link #withHandoffsToCaller(boolean)}. */
    public boolean handoffsToCaller() {
        return handoffsToCaller;
    }

    /**
     * Runs one agent's part of a conversation for a caller that routes handoffs itself, such as
     * the publish/subscribe runtime, which publishes the conversation to the target agent's topic.
     * The run starts with the agent it is given even when the session is held by another, and
     * when that agent hands off, the run ends after that turn instead of running the target:
     * every transfer call of the turn is carried out (answered, its callback called, its event
     * emitted), the session is held by the first target, and {@link RunResult#handedOffTo()}
     * names the targets. Handoff input filters and history nesting do not apply: the caller
     * decides what each target reads.
     */
    public RunOptions<C> withHandoffsToCaller(boolean value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, value);
    }

    public RunOptions<C> withListener(Consumer<RunEvent> value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                value, hooks, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }

    public RunOptions<C> withHooks(RunHooks<C> value) {
        return new RunOptions<>(context, sessionId, session, sessionWait, sessionLease, maxTurns,
                modelName, model, modelSettings, handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage,
                listener, value, errorHandler, tracingDisabled, inheritedToolDecisions, traceParent, engine,
                modelInterceptors, toolInterceptors, workflowName, traceMetadata, inputGuardrails, outputGuardrails, handoffsToCaller);
    }
}
