package dev.baton.handoff;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.agent.AgentRef;
import dev.baton.agent.EnabledWhen;
import dev.baton.internal.HandoffAccess;
import dev.baton.internal.Schemas;
import dev.baton.model.HandoffSpec;
import dev.baton.model.ToolSpec;
import dev.baton.run.RunContext;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A way for an agent to pass the conversation to another agent. The model sees it as a transfer
 * function ({@code transfer_to_<snake_case_name>} unless renamed); calling it makes the target the
 * active agent for the rest of the run and for the session's next message.
 *
 * <pre>{@code
 * Handoff.to(escalation)
 *        .inputType(Escalation.class)
 *        .onHandoff((ctx, e) -> audit.log(e.reason()))
 * }</pre>
 *
 * <p>Immutable: every method returns a changed copy.
 *
 * @param <C> the run context type
 * @param <I> the type of the input the model writes when it hands off ({@link Void} for none)
 */
public final class Handoff<C, I> implements HandoffTarget<C> {
    static {
        HandoffAccess.install(new HandoffAccess.Access() {
            @Override
            public <D, J> Handoff<D, J> retarget(Handoff<D, J> handoff, AgentRef<D> target) {
                return handoff.retarget(target);
            }

            @Override
            public HandoffSpec spec(Handoff<?, ?> handoff) {
                return handoff.spec();
            }

            @Override
            public <D, J> void runCallback(Handoff<D, J> handoff, RunContext<D> context, @Nullable J input) {
                handoff.runCallback(context, input);
            }
        });
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    private final AgentRef<C> target;
    private final @Nullable String toolName;
    private final @Nullable String description;
    private final @Nullable Class<I> inputType;
    private final @Nullable OnHandoff<C, I> onHandoff;
    private final OnHandoff.@Nullable Simple<C> onHandoffSimple;
    private final @Nullable HandoffInputFilter inputFilter;
    private final EnabledWhen<C> enabled;
    private final @Nullable Boolean nestHistory;
    private final @Nullable HistoryNesting nesting;
    private final @Nullable ObjectNode inputSchema;
    private final @Nullable TransferMessage transferMessage;
    private final String resolvedToolName;
    private volatile @Nullable HandoffSpec spec;

    private Handoff(AgentRef<C> target, @Nullable String toolName, @Nullable String description,
            @Nullable Class<I> inputType, @Nullable OnHandoff<C, I> onHandoff, OnHandoff.@Nullable Simple<C> onHandoffSimple,
            @Nullable HandoffInputFilter inputFilter,
            EnabledWhen<C> enabled, @Nullable Boolean nestHistory, @Nullable HistoryNesting nesting,
            @Nullable ObjectNode inputSchema, @Nullable TransferMessage transferMessage) {
        if (toolName != null && !NAME.matcher(toolName).matches()) {
            throw new UserError("Handoff tool name '" + toolName + "' is invalid: use 1 to 64 letters, digits, '_' or '-'");
        }
        this.target = target;
        this.toolName = toolName;
        this.description = description;
        this.inputType = inputType;
        this.onHandoff = onHandoff;
        this.onHandoffSimple = onHandoffSimple;
        this.inputFilter = inputFilter;
        this.enabled = enabled;
        this.nestHistory = nestHistory;
        this.nesting = nesting;
        this.inputSchema = inputSchema;
        this.transferMessage = transferMessage;
        this.resolvedToolName = toolName != null ? toolName : defaultToolName(target.name());
    }

    /** A handoff to an agent object. */
    public static <C> Handoff<C, Void> to(Agent<C> agent) {
        Objects.requireNonNull(agent, "agent");
        return new Handoff<>(AgentRef.of(agent), null, null, null, null, null, null, EnabledWhen.always(), null, null, null, null);
    }

    /**
     * A handoff to the agent of this name, resolved when the agents are assembled with
     * {@link dev.baton.agent.Team#of}. Use it for cycles (a specialist handing back to triage).
     */
    public static <C> Handoff<C, Void> to(String agentName) {
        return new Handoff<>(AgentRef.named(agentName), null, null, null, null, null, null, EnabledWhen.always(), null, null, null, null);
    }

    /** The default transfer function name for an agent name: {@code transfer_to_<snake_case_name>}. */
    public static String defaultToolName(String agentName) {
        String snake = Schemas.toSnakeCase(agentName.trim().replaceAll("[^A-Za-z0-9_]+", "_"))
                .replaceAll("_+", "_")
                .replaceAll("^_|_$", "");
        String name = "transfer_to_" + snake;
        return name.length() > 64 ? name.substring(0, 64) : name;
    }

    /** The default transfer function description, built from the target's handoff description. */
    public static String defaultDescription(Agent<?> target) {
        String base = "Hand the conversation to the " + target.name() + " agent, who takes over from here.";
        String more = target.handoffDescription();
        return more == null || more.isBlank() ? base : base + " " + more.trim();
    }

    public Handoff<C, I> toolName(String value) {
        return new Handoff<>(target, value, description, inputType, onHandoff, onHandoffSimple, inputFilter, enabled, nestHistory, nesting, inputSchema, transferMessage);
    }

    public Handoff<C, I> description(String value) {
        return new Handoff<>(target, toolName, value, inputType, onHandoff, onHandoffSimple, inputFilter, enabled, nestHistory, nesting, inputSchema, transferMessage);
    }

    /**
     * The input the model must write when it hands off (a record: a reason, a priority). Its
     * strict schema is sent to the model; input that does not fit is a
     * {@link dev.baton.ModelBehaviorError}. A callback taking the previous input type is dropped
     * (its type no longer fits); a callback without input is kept.
     */
    public <J> Handoff<C, J> inputType(Class<J> type) {
        Objects.requireNonNull(type, "type");
        return new Handoff<>(target, toolName, description, type, null, onHandoffSimple, inputFilter, enabled, nestHistory, nesting,
                Schemas.objectSchema(type), transferMessage);
    }

    /** Runs when the handoff takes place, before the target agent's first turn. Replaces an earlier callback without input. */
    public Handoff<C, I> onHandoff(OnHandoff.Simple<C> callback) {
        Objects.requireNonNull(callback, "callback");
        return new Handoff<>(target, toolName, description, inputType, onHandoff, callback,
                inputFilter, enabled, nestHistory, nesting, inputSchema, transferMessage);
    }

    /** Runs when the handoff takes place, with the input the model wrote (see {@link #inputType}). */
    public Handoff<C, I> onHandoff(OnHandoff<C, I> callback) {
        Objects.requireNonNull(callback, "callback");
        if (inputType == null) {
            throw new UserError("onHandoff with an input needs inputType(...) first, on the handoff to '" + target.name() + "'");
        }
        return new Handoff<>(target, toolName, description, inputType, callback, onHandoffSimple, inputFilter, enabled, nestHistory, nesting, inputSchema, transferMessage);
    }

    /** Rewrites what the target agent sees of the conversation. Replaces the run's filter for this handoff. */
    public Handoff<C, I> inputFilter(HandoffInputFilter value) {
        return new Handoff<>(target, toolName, description, inputType, onHandoff, onHandoffSimple, value, enabled, nestHistory, nesting, inputSchema, transferMessage);
    }

    public Handoff<C, I> enabled(boolean value) {
        return new Handoff<>(target, toolName, description, inputType, onHandoff, onHandoffSimple, inputFilter,
                value ? EnabledWhen.always() : EnabledWhen.never(), nestHistory, nesting, inputSchema, transferMessage);
    }

    public Handoff<C, I> enabledWhen(EnabledWhen<C> value) {
        return new Handoff<>(target, toolName, description, inputType, onHandoff, onHandoffSimple, inputFilter,
                Objects.requireNonNull(value, "enabledWhen"), nestHistory, nesting, inputSchema, transferMessage);
    }

    /**
     * Whether the target sees the prior transcript collapsed into one summary message, overriding
     * the run's choice for this handoff.
     */
    public Handoff<C, I> nestHistory(boolean value) {
        return new Handoff<>(target, toolName, description, inputType, onHandoff, onHandoffSimple, inputFilter, enabled, value, nesting, inputSchema, transferMessage);
    }

    /** Nests history for this handoff with a custom mapper or wrapper text. */
    public Handoff<C, I> nestHistory(HistoryNesting value) {
        return new Handoff<>(target, toolName, description, inputType, onHandoff, onHandoffSimple, inputFilter, enabled, true,
                Objects.requireNonNull(value, "nesting"), inputSchema, transferMessage);
    }

    /**
     * The text the target reads as the answer to the transfer call, for this handoff, e.g.
     * {@code "Transferred to billing. Adopt persona immediately."}. Wins over the run's and the
     * runner's (see {@link TransferMessage}).
     */
    public Handoff<C, I> transferMessage(String text) {
        return transferMessage(TransferMessage.fixed(text));
    }

    /** The text the target reads as the answer to the transfer call, computed from the two agents. */
    public Handoff<C, I> transferMessage(TransferMessage value) {
        return new Handoff<>(target, toolName, description, inputType, onHandoff, onHandoffSimple, inputFilter, enabled, nestHistory,
                nesting, inputSchema, Objects.requireNonNull(value, "transferMessage"));
    }

    /** This handoff's transfer message, or null to use the run's. */
    public @Nullable TransferMessage transferMessage() {
        return transferMessage;
    }

    /** Where the handoff leads. */
    public AgentRef<C> target() {
        return target;
    }

    /** Name of the target agent. */
    public String targetName() {
        return target.name();
    }

    /** The transfer function's name. */
    public String toolName() {
        return resolvedToolName;
    }

    public @Nullable Class<I> inputType() {
        return inputType;
    }

    public @Nullable OnHandoff<C, I> onHandoffCallback() {
        return onHandoff;
    }

    public @Nullable HandoffInputFilter inputFilter() {
        return inputFilter;
    }

    public EnabledWhen<C> enabled() {
        return enabled;
    }

    /** This handoff's nesting choice, or null to follow the run's. */
    public @Nullable Boolean nestHistoryOverride() {
        return nestHistory;
    }

    /** This handoff's nesting configuration, or null to use the run's. */
    public @Nullable HistoryNesting nesting() {
        return nesting;
    }

    /** A copy of this handoff leading to {@code newTarget} (used by {@link dev.baton.agent.Team}). */
    Handoff<C, I> retarget(AgentRef<C> newTarget) {
        return new Handoff<>(newTarget, toolName, description, inputType, onHandoff, onHandoffSimple, inputFilter, enabled, nestHistory, nesting, inputSchema, transferMessage);
    }

    /**
     * The handoff as sent to a model. Built on first use (the target's description may only be
     * known once a team has resolved it) and then reused.
     */
    HandoffSpec spec() {
        HandoffSpec s = spec;
        if (s == null) {
            String desc = description != null ? description : defaultDescription(target.resolve());
            ObjectNode params = inputSchema != null ? inputSchema : emptySchema();
            s = new HandoffSpec(new ToolSpec(toolName(), desc, params, true), target.name());
            spec = s;
        }
        return s;
    }

    /** Typed input, parsed from the model's arguments; null when the handoff takes none. */
    public @Nullable I parseInput(String arguments) {
        return inputType == null ? null : dev.baton.schema.JsonArguments.bind(arguments, inputType);
    }

    /** Runs the callback, if any. */
    void runCallback(RunContext<C> context, @Nullable I input) {
        if (onHandoffSimple != null) {
            onHandoffSimple.accept(context);
        }
        if (onHandoff != null) {
            onHandoff.accept(context, input);
        }
    }

    private static ObjectNode emptySchema() {
        ObjectNode schema = Schemas.mapper().createObjectNode();
        schema.put("type", "object");
        schema.putObject("properties");
        schema.putArray("required");
        schema.put("additionalProperties", false);
        return schema;
    }

    @Override
    public Handoff<C, ?> toHandoff() {
        return this;
    }

    @Override
    public String toString() {
        return "Handoff[" + toolName() + " -> " + target.name() + "]";
    }
}
