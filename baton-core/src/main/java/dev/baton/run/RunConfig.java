package dev.baton.run;

import dev.baton.handoff.HandoffInputFilter;
import dev.baton.handoff.HistoryNesting;
import dev.baton.handoff.TransferMessage;
import dev.baton.model.Model;
import dev.baton.model.ModelProvider;
import dev.baton.model.ModelSettings;
import dev.baton.session.InMemorySessionStore;
import dev.baton.session.SessionStore;
import dev.baton.tool.ToolErrorFormatter;
import dev.baton.trace.TraceProcessor;
import dev.baton.trace.Tracing;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link Runner}, shared by all its runs. Build with {@link #builder()}.
 *
 * @param modelProvider resolves model names; null to discover one with {@link java.util.ServiceLoader}
 * @param defaultModelName model name for agents that name none
 * @param defaultModel model instance for agents that name none (wins over {@code defaultModelName})
 * @param modelSettings settings layered over every agent's
 * @param sessionStore where {@link RunOptions#session(String)} sessions live
 * @param maxTurns default turn limit of a run ({@link RunOptions#NO_TURN_LIMIT} for none)
 * @param maxConcurrentTools how many tool calls of one turn run at once
 * @param unknownTools what a call of a tool the agent does not have leads to
 * @param toolErrorFormatter wording of failed tool calls, for tools without their own
 * @param handoffInputFilter default filter for handoffs
 * @param nestHandoffHistory whether handoffs collapse the prior transcript by default
 * @param historyNesting default wrapper text and mapper for nesting
 * @param transferMessage the text answering a transfer call, for handoffs and runs that set none
 * @param hooks lifecycle hooks for every run of this runner, or null
 * @param workflowName the name of the runs' traces
 * @param traceIncludeSensitiveData whether traces carry model input and output, tool arguments and results
 * @param sessionWait how long a run waits for its session while another run holds it, for runs
 *     that set none ({@link RunOptions#withSessionWait}); zero refuses at once
 * @param sessionLease how long a run's hold on its session lasts unless renewed, for runs that set
 *     none ({@link RunOptions#withSessionLease})
 * @param modelInterceptors the chain around every model call of the runner's runs, outermost first
 * @param toolInterceptors the chain around every tool call of the runner's runs, outermost first
 * @param traceProcessors where the runner's runs report their traces, in order; none means runs are
 *     not traced (nested runs report to their caller's trace whatever their runner says)
 * @param tracingDisabled whether the runner's runs are left untraced even with processors
 */
public record RunConfig(
        @Nullable ModelProvider modelProvider,
        @Nullable String defaultModelName,
        @Nullable Model defaultModel,
        @Nullable ModelSettings modelSettings,
        SessionStore sessionStore,
        int maxTurns,
        int maxConcurrentTools,
        UnknownToolPolicy unknownTools,
        ToolErrorFormatter toolErrorFormatter,
        @Nullable HandoffInputFilter handoffInputFilter,
        boolean nestHandoffHistory,
        HistoryNesting historyNesting,
        TransferMessage transferMessage,
        dev.baton.hook.@Nullable RunHooks<?> hooks,
        String workflowName,
        boolean traceIncludeSensitiveData,
        java.time.Duration sessionWait,
        java.time.Duration sessionLease,
        java.util.List<ModelInterceptor> modelInterceptors,
        java.util.List<ToolInterceptor> toolInterceptors,
        java.util.List<TraceProcessor> traceProcessors,
        boolean tracingDisabled) {

    /** What happens when the model calls a tool the active agent does not have (or has disabled). */
    public enum UnknownToolPolicy {
        /** Answer the call with an error output naming the available tools; the run goes on. */
        ERROR_OUTPUT,
        /** Fail the run with a {@link dev.baton.ModelBehaviorError}. */
        FAIL
    }

    public RunConfig {
        Objects.requireNonNull(sessionStore, "sessionStore");
        Objects.requireNonNull(unknownTools, "unknownTools");
        Objects.requireNonNull(toolErrorFormatter, "toolErrorFormatter");
        Objects.requireNonNull(historyNesting, "historyNesting");
        Objects.requireNonNull(transferMessage, "transferMessage");
        if (maxTurns < 1) {
            throw new IllegalArgumentException("maxTurns must be at least 1, got " + maxTurns);
        }
        if (maxConcurrentTools < 1) {
            throw new IllegalArgumentException("maxConcurrentTools must be at least 1, got " + maxConcurrentTools);
        }
        RunOptions.checkSessionWait(sessionWait);
        RunOptions.checkSessionLease(sessionLease);
        modelInterceptors = java.util.List.copyOf(modelInterceptors);
        toolInterceptors = java.util.List.copyOf(toolInterceptors);
        traceProcessors = java.util.List.copyOf(traceProcessors);
    }

    /**
     * Whether the runner's own runs build a trace: tracing is on and a processor listens. Checked
     * before anything trace-related is built, so an untraced run costs nothing.
     */
    public boolean tracingActive() {
        return !tracingDisabled && !traceProcessors.isEmpty();
    }

    public static RunConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.modelProvider = modelProvider;
        b.defaultModelName = defaultModelName;
        b.defaultModel = defaultModel;
        b.modelSettings = modelSettings;
        b.sessionStore = sessionStore;
        b.maxTurns = maxTurns;
        b.maxConcurrentTools = maxConcurrentTools;
        b.unknownTools = unknownTools;
        b.toolErrorFormatter = toolErrorFormatter;
        b.handoffInputFilter = handoffInputFilter;
        b.nestHandoffHistory = nestHandoffHistory;
        b.historyNesting = historyNesting;
        b.transferMessage = transferMessage;
        b.hooks = hooks;
        b.workflowName = workflowName;
        b.traceIncludeSensitiveData = traceIncludeSensitiveData;
        b.sessionWait = sessionWait;
        b.sessionLease = sessionLease;
        b.modelInterceptors.addAll(modelInterceptors);
        b.toolInterceptors.addAll(toolInterceptors);
        b.traceProcessors.addAll(traceProcessors);
        b.tracingDisabled = tracingDisabled;
        return b;
    }

    /** Builds a {@link RunConfig}. */
    public static final class Builder {
        private @Nullable ModelProvider modelProvider;
        private @Nullable String defaultModelName;
        private @Nullable Model defaultModel;
        private @Nullable ModelSettings modelSettings;
        private @Nullable SessionStore sessionStore;
        private int maxTurns = 10;
        private java.time.Duration sessionWait = RunOptions.DEFAULT_SESSION_WAIT;
        private java.time.Duration sessionLease = RunOptions.DEFAULT_SESSION_LEASE;
        private int maxConcurrentTools = 16;
        private UnknownToolPolicy unknownTools = UnknownToolPolicy.ERROR_OUTPUT;
        private ToolErrorFormatter toolErrorFormatter = ToolErrorFormatter.defaultFormatter();
        private @Nullable HandoffInputFilter handoffInputFilter;
        private boolean nestHandoffHistory;
        private HistoryNesting historyNesting = HistoryNesting.defaults();
        private TransferMessage transferMessage = TransferMessage.defaultMessage();
        private final java.util.List<ModelInterceptor> modelInterceptors = new java.util.ArrayList<>();
        private final java.util.List<ToolInterceptor> toolInterceptors = new java.util.ArrayList<>();
        private final java.util.List<TraceProcessor> traceProcessors = new java.util.ArrayList<>();
        // Read when the builder is made, so an operator can switch tracing off without a code change.
        private boolean tracingDisabled = Tracing.disabledByEnvironment();
        private dev.baton.hook.@Nullable RunHooks<?> hooks;
        private String workflowName = "Agent workflow";
        private boolean traceIncludeSensitiveData = true;

        private Builder() {}

        /** The name of the runs' traces (default "Agent workflow"); a run can set its own. */
        public Builder workflowName(String value) {
            this.workflowName = java.util.Objects.requireNonNull(value, "workflowName");
            return this;
        }

        /**
         * Whether traces carry model input and output, tool arguments and results (default true).
         * Turn off where conversations hold personal data the tracing backend must not see.
         */
        public Builder traceIncludeSensitiveData(boolean value) {
            this.traceIncludeSensitiveData = value;
            return this;
        }

        /** Hooks for every run of the runner, whatever its context type. */
        public Builder hooks(dev.baton.hook.RunHooks<?> value) {
            this.hooks = value;
            return this;
        }

        public Builder modelProvider(ModelProvider value) {
            this.modelProvider = value;
            return this;
        }

        public Builder defaultModel(String name) {
            this.defaultModelName = name;
            return this;
        }

        public Builder defaultModel(Model value) {
            this.defaultModel = value;
            return this;
        }

        public Builder modelSettings(ModelSettings value) {
            this.modelSettings = value;
            return this;
        }

        public Builder sessionStore(SessionStore value) {
            this.sessionStore = value;
            return this;
        }

        public Builder maxTurns(int value) {
            this.maxTurns = value;
            return this;
        }

        /** Runs have no turn limit unless their options set one; see {@link RunOptions#withoutTurnLimit()}. */
        public Builder noTurnLimit() {
            this.maxTurns = RunOptions.NO_TURN_LIMIT;
            return this;
        }

        public Builder maxConcurrentTools(int value) {
            this.maxConcurrentTools = value;
            return this;
        }

        public Builder unknownTools(UnknownToolPolicy value) {
            this.unknownTools = value;
            return this;
        }

        public Builder toolErrorFormatter(ToolErrorFormatter value) {
            this.toolErrorFormatter = value;
            return this;
        }

        public Builder handoffInputFilter(HandoffInputFilter value) {
            this.handoffInputFilter = value;
            return this;
        }

        public Builder nestHandoffHistory(boolean value) {
            this.nestHandoffHistory = value;
            return this;
        }

        public Builder historyNesting(HistoryNesting value) {
            this.historyNesting = value;
            return this;
        }

        /**
         * The text the target agent reads as the answer to the transfer call, for handoffs and runs
         * that set none (default {@link TransferMessage#defaultMessage()}).
         */
        public Builder transferMessage(TransferMessage value) {
            this.transferMessage = Objects.requireNonNull(value, "transferMessage");
            return this;
        }

        /**
         * How long a run waits for its session while another run holds it, in this process or in
         * another sharing the store, unless the run sets its own (default
         * {@link RunOptions#DEFAULT_SESSION_WAIT}); {@link java.time.Duration#ZERO} refuses at once.
         *
         * @throws IllegalArgumentException for a negative wait
         */
        public Builder sessionWait(java.time.Duration value) {
            this.sessionWait = RunOptions.checkSessionWait(value);
            return this;
        }

        /**
         * How long a run's hold on its session lasts unless renewed, unless the run sets its own
         * (default {@link RunOptions#DEFAULT_SESSION_LEASE}); see {@link RunOptions#withSessionLease}.
         *
         * @throws IllegalArgumentException for a lease under 100 milliseconds
         */
        public Builder sessionLease(java.time.Duration value) {
            this.sessionLease = RunOptions.checkSessionLease(value);
            return this;
        }

        /**
         * Adds a link to the chain around every model call (caching, redaction, rate limits); links
         * run in the order they are added. See {@link ModelInterceptor}.
         */
        public Builder modelInterceptor(ModelInterceptor value) {
            modelInterceptors.add(Objects.requireNonNull(value, "modelInterceptor"));
            return this;
        }

        /**
         * Adds a link to the chain around every tool call (redacting arguments, caching outputs);
         * links run in the order they are added. See {@link ToolInterceptor}.
         */
        public Builder toolInterceptor(ToolInterceptor value) {
            toolInterceptors.add(Objects.requireNonNull(value, "toolInterceptor"));
            return this;
        }

        /**
         * Adds a processor the runner's runs report their traces to, after those added before. The
         * runner never shuts it down: whoever made the processor owns it (see {@link
         * TraceProcessor#shutdown()}), since one processor often serves several runners.
         */
        public Builder traceProcessor(TraceProcessor value) {
            traceProcessors.add(Objects.requireNonNull(value, "traceProcessor"));
            return this;
        }

        /** Replaces the processors the runner's runs report to; an empty list leaves runs untraced. */
        public Builder traceProcessors(java.util.List<TraceProcessor> values) {
            java.util.List<TraceProcessor> copy = java.util.List.copyOf(values);
            traceProcessors.clear();
            traceProcessors.addAll(copy);
            return this;
        }

        /**
         * Leaves every run of the runner untraced, whatever its processors (default false, or true
         * when the system property {@code baton.tracing.disabled} or the environment variable {@code
         * BATON_TRACING_DISABLED} is {@code true}, {@code 1} or {@code yes} as the builder is made).
         * A single run opts out with {@link RunOptions#withTracingDisabled(boolean)}.
         */
        public Builder tracingDisabled(boolean value) {
            this.tracingDisabled = value;
            return this;
        }

        public RunConfig build() {
            return new RunConfig(modelProvider, defaultModelName, defaultModel, modelSettings,
                    sessionStore != null ? sessionStore : new InMemorySessionStore(),
                    maxTurns, maxConcurrentTools, unknownTools, toolErrorFormatter,
                    handoffInputFilter, nestHandoffHistory, historyNesting, transferMessage, hooks, workflowName, traceIncludeSensitiveData,
                    sessionWait, sessionLease, modelInterceptors, toolInterceptors, traceProcessors, tracingDisabled);
        }
    }
}
