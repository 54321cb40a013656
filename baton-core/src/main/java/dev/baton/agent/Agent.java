package dev.baton.agent;

import dev.baton.UserError;
import dev.baton.handoff.Handoff;
import dev.baton.handoff.HandoffTarget;
import dev.baton.internal.AgentAccess;
import dev.baton.internal.HandoffAccess;
import dev.baton.internal.Offered;
import dev.baton.internal.RunAccess;
import dev.baton.internal.ToolAccess;
import dev.baton.model.Model;
import dev.baton.model.ModelSettings;
import dev.baton.model.ToolChoice;
import dev.baton.run.RunContext;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolProvider;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An LLM with instructions, tools, and handoffs to other agents. Immutable: build one with
 * {@link #builder(String)}, change a copy with {@link #toBuilder()}.
 *
 * <pre>{@code
 * Agent<Support> billing = Agent.<Support>builder("billing_specialist")
 *         .handoffDescription("Invoices, charges, refunds")
 *         .instructions("Always look up the invoice first.")
 *         .tools(getInvoice)
 *         .handoffs(Handoff.to("support_triage"))
 *         .build();
 * }</pre>
 *
 * <p>Agents that hand to each other name their targets ({@code Handoff.to("support_triage")}) and
 * are assembled with {@link Team#of}, which resolves the names and rejects dangling ones.
 *
 * @param <C> the type of the application context object tools and callbacks receive
 */
public final class Agent<C> implements HandoffTarget<C> {
    static {
        AgentAccess.install(new AgentAccess.Access() {
            @Override
            public <D> @Nullable Offered<D> fixedOffer(Agent<D> agent) {
                return agent.fixedOffer();
            }

            @Override
            public <D> java.util.Map<String, Agent<D>> reachableAgents(Agent<D> agent) {
                return agent.reachableAgents();
            }
        });
    }

    private final String name;
    private final @Nullable Instructions<C> instructions;
    private final @Nullable String handoffDescription;
    private final @Nullable String modelName;
    private final @Nullable Model model;
    private final ModelSettings modelSettings;
    private final List<Tool<C>> tools;
    private final List<ToolProvider<C>> toolProviders;
    private final List<Handoff<C, ?>> handoffs;
    private final ToolUseBehavior<C> toolUseBehavior;
    private final boolean resetToolChoice;
    private final dev.baton.hook.@Nullable AgentHooks<C> hooks;
    private final @Nullable OutputType<?> outputType;
    private final List<dev.baton.guardrail.InputGuardrail<C>> inputGuardrails;
    private final List<dev.baton.guardrail.OutputGuardrail<C>> outputGuardrails;
    private volatile java.util.@Nullable Map<String, Agent<C>> reachable;
    private final @Nullable String staticInstructions;
    private volatile @Nullable String fingerprint;
    private volatile @Nullable Offered<C> offered;
    private volatile boolean offeredComputed;

    private Agent(Builder<C> b) {
        if (b.name == null || b.name.isBlank()) {
            throw new UserError("An agent needs a non-blank name");
        }
        this.name = b.name;
        this.instructions = b.instructions;
        this.staticInstructions = b.staticInstructions;
        this.handoffDescription = b.handoffDescription;
        this.modelName = b.modelName;
        this.model = b.model;
        this.modelSettings = b.modelSettings;
        this.tools = List.copyOf(b.tools);
        this.toolProviders = List.copyOf(b.toolProviders);
        this.handoffs = List.copyOf(b.handoffs);
        this.toolUseBehavior = b.toolUseBehavior;
        this.resetToolChoice = b.resetToolChoice;
        this.hooks = b.hooks;
        this.outputType = b.outputType;
        this.inputGuardrails = List.copyOf(b.inputGuardrails);
        this.outputGuardrails = List.copyOf(b.outputGuardrails);
        validate();
    }

    private void validate() {
        Set<String> toolNames = new HashSet<>();
        for (Tool<C> t : tools) {
            if (!toolNames.add(t.name())) {
                throw new UserError("Agent '" + name + "' has two tools named '" + t.name() + "'");
            }
        }
        Set<String> providerNames = new HashSet<>();
        for (ToolProvider<C> p : toolProviders) {
            if (!providerNames.add(p.name())) {
                throw new UserError("Agent '" + name + "' has two tool providers named '" + p.name() + "'");
            }
        }
        Set<String> handoffNames = new HashSet<>();
        for (Handoff<C, ?> h : handoffs) {
            String tn = h.toolName();
            if (toolNames.contains(tn)) {
                throw new UserError("Agent '" + name + "' has a tool and a handoff both named '" + tn
                        + "': rename one (Handoff.toolName(...))");
            }
            if (!handoffNames.add(tn)) {
                throw new UserError("Agent '" + name + "' has two handoffs named '" + tn + "'");
            }
        }
        if (modelSettings.toolChoice() instanceof ToolChoice.Named named && toolProviders.isEmpty()
                && !toolNames.contains(named.name()) && !handoffNames.contains(named.name())) {
            throw new UserError("Agent '" + name + "' forces tool choice '" + named.name()
                    + "', which is neither one of its tools " + toolNames + " nor its handoffs " + handoffNames);
        }
        if (toolUseBehavior instanceof ToolUseBehavior.StopAtTools<C> stop && toolProviders.isEmpty()) {
            for (String t : stop.toolNames()) {
                if (!toolNames.contains(t)) {
                    throw new UserError("Agent '" + name + "' stops at tool '" + t + "', which it does not have");
                }
            }
        }
    }

    /** Starts an agent definition. */
    public static <C> Builder<C> builder(String name) {
        return new Builder<C>().name(name);
    }

    public Builder<C> toBuilder() {
        Builder<C> b = new Builder<>();
        b.name = name;
        b.instructions = instructions;
        b.staticInstructions = staticInstructions;
        b.handoffDescription = handoffDescription;
        b.modelName = modelName;
        b.model = model;
        b.modelSettings = modelSettings;
        b.tools.addAll(tools);
        b.toolProviders.addAll(toolProviders);
        b.handoffs.addAll(handoffs);
        b.toolUseBehavior = toolUseBehavior;
        b.resetToolChoice = resetToolChoice;
        b.hooks = hooks;
        b.outputType = outputType;
        b.inputGuardrails.addAll(inputGuardrails);
        b.outputGuardrails.addAll(outputGuardrails);
        return b;
    }

    public String name() {
        return name;
    }

    /** The instructions for a model call in this context, or null if the agent has none. */
    public @Nullable String instructions(RunContext<C> context) {
        return instructions == null ? null : instructions.render(context, this);
    }

    /** What other agents' models read about this agent when offered a handoff to it. */
    public @Nullable String handoffDescription() {
        return handoffDescription;
    }

    /** The model name this agent asks for, or null to use the run's default. */
    public @Nullable String modelName() {
        return modelName;
    }

    /** The model instance this agent uses, or null to resolve {@link #modelName()}. */
    public @Nullable Model model() {
        return model;
    }

    public ModelSettings modelSettings() {
        return modelSettings;
    }

    public List<Tool<C>> tools() {
        return tools;
    }

    /** The sources asked for more tools on every turn (see {@link ToolProvider}), in the order asked. */
    public List<ToolProvider<C>> toolProviders() {
        return toolProviders;
    }

    public List<Handoff<C, ?>> handoffs() {
        return handoffs;
    }

    public ToolUseBehavior<C> toolUseBehavior() {
        return toolUseBehavior;
    }

    /** Whether a forced tool choice reverts to auto after the agent's tools ran, so it cannot loop. */
    public boolean resetToolChoice() {
        return resetToolChoice;
    }

    /** The type of this agent's structured final output, or null for plain text. */
    public @Nullable OutputType<?> outputType() {
        return outputType;
    }

    /** Checks on the run's input when this agent is the first to act on it. */
    public List<dev.baton.guardrail.InputGuardrail<C>> inputGuardrails() {
        return inputGuardrails;
    }

    /** Checks on this agent's final output. */
    public List<dev.baton.guardrail.OutputGuardrail<C>> outputGuardrails() {
        return outputGuardrails;
    }

    /** This agent's own lifecycle hooks, or null. */
    public dev.baton.hook.@Nullable AgentHooks<C> hooks() {
        return hooks;
    }

    /** The tool of this name, or null. */
    public @Nullable Tool<C> tool(String toolName) {
        for (Tool<C> t : tools) {
            if (t.name().equals(toolName)) {
                return t;
            }
        }
        return null;
    }

    /** The handoff whose transfer function is this name, or null. */
    public @Nullable Handoff<C, ?> handoff(String toolName) {
        for (Handoff<C, ?> h : handoffs) {
            if (h.toolName().equals(toolName)) {
                return h;
            }
        }
        return null;
    }

    /**
     * This agent as a tool of another agent: the caller's model writes an input, this agent runs
     * on it as a separate run (sharing the context object), and its final output is the tool's
     * result. Unlike a handoff, the caller keeps the conversation. Its events reach the caller's
     * stream and listener as {@link dev.baton.run.RunEvent.Nested}.
     *
     * <p>If the nested run fails, the calling model reads the error; to make the caller's run fail
     * instead, with the nested run's exception (a {@code MaxTurnsExceeded}, a guardrail's tripwire)
     * as the cause of a {@link dev.baton.ToolCallFailed}, use
     * {@code asTool(...).withFailureMode(ToolFailureMode.RAISE)}.
     */
    public Tool<C> asTool(String toolName, String description) {
        return RunAccess.asTool(this, toolName, description, null);
    }

    /** As {@link #asTool(String, String)}, with a function that extracts the tool result from the run. */
    public Tool<C> asTool(String toolName, String description, Function<dev.baton.run.RunResult, String> outputExtractor) {
        return RunAccess.asTool(this, toolName, description, Objects.requireNonNull(outputExtractor));
    }

    /**
     * What this agent offers on every turn, when no tool or handoff has an enabling check that
     * depends on the run (only {@link EnabledWhen#always()} or {@link EnabledWhen#never()}); null
     * otherwise. Computed once, so runs skip the per-turn work.
     */
    @Nullable Offered<C> fixedOffer() {
        if (offeredComputed) {
            return offered;
        }
        Offered<C> o = null;
        if (toolProviders.isEmpty() && tools.stream().allMatch(t -> t.enabled().isFixed()) && handoffs.stream().allMatch(h -> h.enabled().isFixed())) {
            java.util.Map<String, Tool<C>> toolMap = new java.util.LinkedHashMap<>();
            List<dev.baton.model.ToolSpec> toolSpecs = new ArrayList<>();
            for (Tool<C> t : tools) {
                if (t.enabled() == EnabledWhen.<C>always()) {
                    toolMap.put(t.name(), t);
                    toolSpecs.add(ToolAccess.spec(t));
                }
            }
            java.util.Map<String, Handoff<C, ?>> handoffMap = new java.util.LinkedHashMap<>();
            List<dev.baton.model.HandoffSpec> handoffSpecs = new ArrayList<>();
            for (Handoff<C, ?> h : handoffs) {
                if (h.enabled() == EnabledWhen.<C>always()) {
                    handoffMap.put(h.toolName(), h);
                    handoffSpecs.add(HandoffAccess.spec(h));
                }
            }
            o = new Offered<>(java.util.Collections.unmodifiableMap(toolMap), java.util.Collections.unmodifiableMap(handoffMap),
                    List.copyOf(toolSpecs), List.copyOf(handoffSpecs));
        }
        offered = o;
        offeredComputed = true;
        return o;
    }

    /**
     * A stable identity for the agent's definition: a hash of its name, fixed instructions, handoff
     * description, model name, tools, tool providers (their {@link ToolProvider#fingerprint()}, not
     * the tools they give at the moment), handoffs and output type. Two differently built agents
     * with the same name have different fingerprints, so a saved {@code RunState} cannot resume
     * on the wrong one; the same definitions in another JVM have the same fingerprint.
     */
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            StringBuilder text = new StringBuilder(name).append('\u0000')
                    .append(staticInstructions == null ? (instructions == null ? "" : "<function>") : staticInstructions).append('\u0000')
                    .append(handoffDescription).append('\u0000').append(modelName).append('\u0000');
            tools.stream().map(t -> t.name() + ":" + t.description()).sorted().forEach(t -> text.append(t).append(','));
            if (!toolProviders.isEmpty()) { // agents without providers keep the fingerprints their paused runs recorded
                toolProviders.stream().map(p -> p.name() + "=" + p.fingerprint()).sorted().forEach(p -> text.append("provider ").append(p).append(','));
            }
            text.append('\u0000');
            handoffs.stream().map(h -> h.toolName() + "->" + h.targetName()).sorted().forEach(h -> text.append(h).append(','));
            text.append('\u0000').append(outputType == null ? "" : outputType.name());
            try {
                byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
                        .digest(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                f = java.util.HexFormat.of().formatHex(hash, 0, 8);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            fingerprint = f;
        }
        return f;
    }

    /** A handoff to this agent with default settings. */
    @Override
    public Handoff<C, ?> toHandoff() {
        return Handoff.to(this);
    }

    /**
     * Every agent reachable from this one through handoffs, this one included, by name. Computed
     * once. Runs use it to check the graph before the first model call and to find the agent a
     * session says holds the conversation.
     *
     * @throws UserError if a handoff names an agent no team resolved, or two different agents
     *     reachable from here share a name
     */
    java.util.Map<String, Agent<C>> reachableAgents() {
        java.util.Map<String, Agent<C>> r = reachable;
        if (r == null) {
            r = AgentGraph.reachable(this);
            reachable = r;
        }
        return r;
    }

    @Override
    public String toString() {
        return "Agent[" + name + "]";
    }

    // Tools and handoffs only consume the context type (their bodies, checks and callbacks receive
    // it, and so does a handoff's target agent); none hands one back. So one made for a supertype
    // of C serves a run whose context is a C.
    @SuppressWarnings("unchecked")
    private static <C> Tool<C> narrow(Tool<? super C> tool) {
        return (Tool<C>) tool;
    }

    /** A provider for a supertype of {@code C} gives tools that accept any {@code C}: its tools only read the context. */
    @SuppressWarnings("unchecked")
    private static <C> ToolProvider<C> narrow(ToolProvider<? super C> provider) {
        return (ToolProvider<C>) provider;
    }

    @SuppressWarnings("unchecked")
    private static <C> Handoff<C, ?> narrow(Handoff<? super C, ?> handoff) {
        return (Handoff<C, ?>) handoff;
    }

    /** Builds an {@link Agent}. */
    public static final class Builder<C> {
        private @Nullable String name;
        private @Nullable Instructions<C> instructions;
        private @Nullable String staticInstructions;
        private @Nullable String handoffDescription;
        private @Nullable String modelName;
        private @Nullable Model model;
        private ModelSettings modelSettings = ModelSettings.defaults();
        private final List<Tool<C>> tools = new ArrayList<>();
        private final List<ToolProvider<C>> toolProviders = new ArrayList<>();
        private final List<Handoff<C, ?>> handoffs = new ArrayList<>();
        private ToolUseBehavior<C> toolUseBehavior = ToolUseBehavior.runLlmAgain();
        private boolean resetToolChoice = true;
        private dev.baton.hook.@Nullable AgentHooks<C> hooks;
        private @Nullable OutputType<?> outputType;
        private final List<dev.baton.guardrail.InputGuardrail<C>> inputGuardrails = new ArrayList<>();
        private final List<dev.baton.guardrail.OutputGuardrail<C>> outputGuardrails = new ArrayList<>();

        private Builder() {}

        /** Checks on the run's input when this agent starts the run (see {@link dev.baton.guardrail.InputGuardrail}). */
        @SafeVarargs
        public final Builder<C> inputGuardrails(dev.baton.guardrail.InputGuardrail<C>... values) {
            for (var g : values) {
                this.inputGuardrails.add(Objects.requireNonNull(g, "guardrail"));
            }
            return this;
        }

        /** Checks on this agent's final output. */
        @SafeVarargs
        public final Builder<C> outputGuardrails(dev.baton.guardrail.OutputGuardrail<C>... values) {
            for (var g : values) {
                this.outputGuardrails.add(Objects.requireNonNull(g, "guardrail"));
            }
            return this;
        }

        /**
         * A structured final output: the type's strict schema is sent to the model and its final
         * answer is parsed into the type (records, enums, scalars; see {@link OutputType#listOf}
         * for lists). Output that does not fit fails the run with a
         * {@link dev.baton.ModelBehaviorError} carrying the raw text, unless the run has an error handler.
         */
        public Builder<C> outputType(Class<?> type) {
            this.outputType = OutputType.of(type);
            return this;
        }

        public Builder<C> outputType(OutputType<?> type) {
            this.outputType = type;
            return this;
        }

        /** Callbacks for this agent's events (see {@link dev.baton.hook.AgentHooks}). */
        public Builder<C> hooks(dev.baton.hook.AgentHooks<C> value) {
            this.hooks = value;
            return this;
        }

        public Builder<C> name(String value) {
            this.name = value;
            return this;
        }

        public Builder<C> instructions(String value) {
            Objects.requireNonNull(value, "instructions");
            this.instructions = (ctx, agent) -> value;
            this.staticInstructions = value;
            return this;
        }

        /** Instructions computed for each model call. */
        public Builder<C> instructions(Instructions<C> value) {
            this.instructions = value;
            this.staticInstructions = null;
            return this;
        }

        public Builder<C> handoffDescription(String value) {
            this.handoffDescription = value;
            return this;
        }

        /** The model by name, resolved by the runner's {@link dev.baton.model.ModelProvider}. */
        public Builder<C> model(String value) {
            this.modelName = value;
            this.model = null;
            return this;
        }

        public Builder<C> model(Model value) {
            this.model = value;
            this.modelName = null;
            return this;
        }

        public Builder<C> modelSettings(ModelSettings value) {
            this.modelSettings = Objects.requireNonNull(value, "modelSettings");
            return this;
        }

        /** Shortcut for the tool choice of {@link #modelSettings}: e.g. force one tool or handoff. */
        public Builder<C> toolChoice(ToolChoice value) {
            this.modelSettings = modelSettings.withToolChoice(value);
            return this;
        }

        /**
         * The agent's tools, in the order offered. A tool written for a supertype of {@code C} (a
         * {@code Tool<Object>} from a chain such as {@code Tool.of(...).withTimeout(...)}) fits too.
         */
        @SafeVarargs
        public final Builder<C> tools(Tool<? super C>... values) {
            return tools(java.util.Arrays.asList(values));
        }

        public Builder<C> tools(List<? extends Tool<? super C>> values) {
            for (Tool<? super C> t : values) {
                this.tools.add(narrow(Objects.requireNonNull(t, "tool")));
            }
            return this;
        }

        /**
         * Sources asked for more tools on every turn, such as MCP servers; their tools are offered
         * after the agent's own, in the order of the providers. A provider for a supertype of
         * {@code C} fits too.
         */
        @SafeVarargs
        public final Builder<C> toolProviders(ToolProvider<? super C>... values) {
            return toolProviders(java.util.Arrays.asList(values));
        }

        public Builder<C> toolProviders(List<? extends ToolProvider<? super C>> values) {
            for (ToolProvider<? super C> p : values) {
                this.toolProviders.add(narrow(Objects.requireNonNull(p, "toolProvider")));
            }
            return this;
        }

        /**
         * Handoffs to agents (default settings) or configured {@link Handoff}s, in the order offered.
         * A handoff made for a supertype of {@code C} fits too, so a chain such as
         * {@code Handoff.to("support_triage").toolName("back_to_triage")} needs no type witness.
         */
        @SafeVarargs
        public final Builder<C> handoffs(HandoffTarget<? super C>... values) {
            return handoffs(java.util.Arrays.asList(values));
        }

        public Builder<C> handoffs(List<? extends HandoffTarget<? super C>> values) {
            for (HandoffTarget<? super C> v : values) {
                this.handoffs.add(narrow(Objects.requireNonNull(v, "handoff").toHandoff()));
            }
            return this;
        }

        /** Handoffs to agents by name, resolved by {@link Team#of}. */
        public Builder<C> handoffs(String... targetNames) {
            for (String t : targetNames) {
                this.handoffs.add(Handoff.to(t));
            }
            return this;
        }

        /** Replaces all handoffs. */
        public Builder<C> clearHandoffs() {
            this.handoffs.clear();
            return this;
        }

        /** Replaces all tools. */
        public Builder<C> clearTools() {
            this.tools.clear();
            return this;
        }

        public Builder<C> toolUseBehavior(ToolUseBehavior<C> value) {
            this.toolUseBehavior = Objects.requireNonNull(value, "toolUseBehavior");
            return this;
        }

        public Builder<C> resetToolChoice(boolean value) {
            this.resetToolChoice = value;
            return this;
        }

        /** @throws UserError on duplicate names, a tool and handoff sharing a name, or a forced unknown tool */
        public Agent<C> build() {
            return new Agent<>(this);
        }
    }
}
