package dev.baton.tool;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.UserError;
import dev.baton.agent.EnabledWhen;
import dev.baton.internal.Schemas;
import dev.baton.internal.ToolAccess;
import dev.baton.model.ToolSpec;
import dev.baton.schema.JsonArguments;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A function the model can call. Its arguments schema is built once, when the tool is created,
 * and reused on every turn.
 *
 * <pre>{@code
 * record GetInvoice(@Description("Invoice id, e.g. INV-8821") String invoiceId) {}
 * Tool<Support> getInvoice = Tool.of("get_invoice", "Fetch an invoice by id.", GetInvoice.class,
 *         (ctx, args) -> invoices.find(args.invoiceId()));
 * }</pre>
 *
 * <p>Instances are immutable; the {@code with...} methods return changed copies.
 */
public final class Tool<C> {
    static {
        ToolAccess.install(Tool::spec);
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    private final String name;
    private final String description;
    private final ObjectNode parameters;
    private final boolean strict;
    private final ToolInvoker<C> invoker;
    private final @Nullable Duration timeout;
    private final EnabledWhen<C> enabled;
    private final @Nullable ToolErrorFormatter errorFormatter;
    private final ToolSpec spec;
    private final List<dev.baton.guardrail.ToolGuardrail<C>> guardrails;
    private final @Nullable ApprovalPolicy<C> approval;
    private final ToolFailureMode failureMode;

    private Tool(Builder<C> b) {
        if (b.name == null || !NAME.matcher(b.name).matches()) {
            throw new UserError("Tool name '" + b.name + "' is invalid: use 1 to 64 letters, digits, '_' or '-'");
        }
        if (b.parameters == null) {
            throw new UserError("Tool '" + b.name + "' has no parameters schema");
        }
        if (b.invoker == null) {
            throw new UserError("Tool '" + b.name + "' has no body");
        }
        if (b.timeout != null && (b.timeout.isNegative() || b.timeout.isZero())) {
            throw new UserError("Tool '" + b.name + "' timeout must be positive, got " + b.timeout);
        }
        this.name = b.name;
        this.description = b.description == null ? "" : b.description;
        this.parameters = b.parameters;
        this.strict = b.strict;
        this.invoker = b.invoker;
        this.timeout = b.timeout;
        this.enabled = b.enabled;
        this.errorFormatter = b.errorFormatter;
        this.spec = new ToolSpec(name, description, parameters, strict);
        this.guardrails = List.copyOf(b.guardrails);
        this.approval = b.approval;
        this.failureMode = b.failureMode;
    }

    /**
     * A tool whose arguments are the record (or class) {@code argsType}: its strict JSON schema is
     * sent to the model and the model's arguments are bound to it before {@code body} runs.
     */
    public static <C, A> Tool<C> of(String name, String description, Class<A> argsType, ToolFunction<C, A> body) {
        Objects.requireNonNull(argsType, "argsType");
        Objects.requireNonNull(body, "body");
        return Tool.<C>builder(name)
                .description(description)
                .parameters(Schemas.objectSchema(argsType))
                .invoker((ctx, json) -> body.apply(ctx, JsonArguments.bind(json, argsType)))
                .build();
    }

    /**
     * One tool for each method of {@code target} annotated with {@link ToolMethod}. Parameters
     * become the schema's properties; a {@link ToolContext} parameter receives the call context.
     */
    public static <C> List<Tool<C>> fromMethods(Object target) {
        return MethodTools.from(target);
    }

    /** A builder for a tool with a hand-written schema or a raw-JSON body. */
    public static <C> Builder<C> builder(String name) {
        return new Builder<C>().name(name);
    }

    public Builder<C> toBuilder() {
        Builder<C> b = new Builder<>();
        b.name = name;
        b.description = description;
        b.parameters = parameters;
        b.strict = strict;
        b.invoker = invoker;
        b.timeout = timeout;
        b.enabled = enabled;
        b.errorFormatter = errorFormatter;
        b.guardrails.addAll(guardrails);
        b.approval = approval;
        b.failureMode = failureMode;
        return b;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** The arguments schema. Shared: do not modify it. */
    public ObjectNode parameters() {
        return parameters;
    }

    public boolean strict() {
        return strict;
    }

    /** The call's time limit, or null for none. */
    public @Nullable Duration timeout() {
        return timeout;
    }

    public EnabledWhen<C> enabled() {
        return enabled;
    }

    /** This tool's error wording, or null to use the runner's. */
    public @Nullable ToolErrorFormatter errorFormatter() {
        return errorFormatter;
    }

    /** What a failed call does: the model reads the error (the default), or the run fails. */
    public ToolFailureMode failureMode() {
        return failureMode;
    }

    /**
     * This tool, with failed calls handled as {@code mode} says: {@link ToolFailureMode#RAISE} makes
     * the run fail with {@link dev.baton.ToolCallFailed} instead of showing the error to the model.
     */
    public Tool<C> withFailureMode(ToolFailureMode mode) {
        return toBuilder().failureMode(mode).build();
    }

    /**
     * This tool, with every call waiting for a human's approval: the run pauses with the call
     * listed in {@code RunResult.interruptions()}, and continues with {@code Runner.resume} once it
     * is approved (the tool runs) or rejected (the model reads the rejection message).
     *
     * <p>The copy takes the context type its use asks for ({@code D}, a subtype of this tool's), so
     * {@code .tools(Tool.of(...).requiringApproval())} in an {@code Agent.<Support>builder} needs no
     * type witness.
     */
    public <D extends C> Tool<D> requiringApproval() {
        return requiringApproval(ApprovalPolicy.<D>always());
    }

    /**
     * This tool, with the calls for which {@code policy} says so waiting for approval. The policy
     * may read the context type the tool is used with ({@code D}, a subtype of this tool's).
     */
    public <D extends C> Tool<D> requiringApproval(ApprovalPolicy<D> policy) {
        Builder<D> b = Tool.<D>narrow(this).toBuilder();
        b.approval = java.util.Objects.requireNonNull(policy, "policy");
        return b.build();
    }

    /**
     * This tool, used where the run's context is a {@code D}. Safe because a tool only consumes its
     * context (its body, enabling check, guardrails and approval policy receive it and never hand
     * one back), so a tool written for {@code C} serves a run of any subtype of {@code C}.
     */
    @SuppressWarnings("unchecked")
    private static <D> Tool<D> narrow(Tool<? super D> tool) {
        return (Tool<D>) java.util.Objects.requireNonNull(tool, "tool");
    }

    /** Which calls need approval, or null when none do. */
    public @Nullable ApprovalPolicy<C> approvalPolicy() {
        return approval;
    }

    /** Guardrails checking each call before the tool runs or after, in the order added. */
    public List<dev.baton.guardrail.ToolGuardrail<C>> guardrails() {
        return guardrails;
    }

    /** This tool with more guardrails (input or output ones). */
    @SafeVarargs
    public final Tool<C> withGuardrails(dev.baton.guardrail.ToolGuardrail<C>... values) {
        Builder<C> b = toBuilder();
        for (var g : values) {
            b.guardrails.add(java.util.Objects.requireNonNull(g, "guardrail"));
        }
        return b.build();
    }

    /** The tool as sent to a model. */
    ToolSpec spec() {
        return spec;
    }

    /**
     * Runs the body directly with the raw arguments, without the runner's timeout and error
     * handling. Returns what the body returned.
     */
    public Object call(ToolContext<C> context, String argumentsJson) throws Exception {
        return invoker.invoke(context, argumentsJson);
    }

    public Tool<C> withTimeout(@Nullable Duration value) {
        return toBuilder().timeout(value).build();
    }

    public Tool<C> withEnabled(boolean value) {
        return toBuilder().enabled(value).build();
    }

    public Tool<C> withEnabledWhen(EnabledWhen<C> value) {
        return toBuilder().enabledWhen(value).build();
    }

    public Tool<C> withErrorFormatter(@Nullable ToolErrorFormatter value) {
        return toBuilder().errorFormatter(value).build();
    }

    public Tool<C> withDescription(String value) {
        return toBuilder().description(value).build();
    }

    @Override
    public String toString() {
        return "Tool[" + name + "]";
    }

    /** Builds a {@link Tool}. */
    public static final class Builder<C> {
        private @Nullable String name;
        private @Nullable String description;
        private @Nullable ObjectNode parameters;
        private boolean strict = true;
        private @Nullable ToolInvoker<C> invoker;
        private @Nullable Duration timeout;
        private EnabledWhen<C> enabled = EnabledWhen.always();
        private @Nullable ToolErrorFormatter errorFormatter;
        private final java.util.List<dev.baton.guardrail.ToolGuardrail<C>> guardrails = new java.util.ArrayList<>();
        private @Nullable ApprovalPolicy<C> approval;
        private ToolFailureMode failureMode = ToolFailureMode.REPORT_TO_MODEL;

        private Builder() {}

        public Builder<C> name(String value) {
            this.name = value;
            return this;
        }

        public Builder<C> description(String value) {
            this.description = value;
            return this;
        }

        /** The arguments schema (an object schema). */
        public Builder<C> parameters(ObjectNode value) {
            this.parameters = value;
            return this;
        }

        /** Arguments schema generated from a type, as {@link Tool#of} does. */
        public Builder<C> parameters(Class<?> argsType) {
            this.parameters = Schemas.objectSchema(argsType);
            return this;
        }

        /** Whether the schema is strict (the default); turn off for hand-written loose schemas. */
        public Builder<C> strict(boolean value) {
            this.strict = value;
            return this;
        }

        public Builder<C> invoker(ToolInvoker<C> value) {
            this.invoker = value;
            return this;
        }

        public Builder<C> timeout(@Nullable Duration value) {
            this.timeout = value;
            return this;
        }

        public Builder<C> enabled(boolean value) {
            this.enabled = value ? EnabledWhen.always() : EnabledWhen.never();
            return this;
        }

        public Builder<C> enabledWhen(EnabledWhen<C> value) {
            this.enabled = Objects.requireNonNull(value, "enabledWhen");
            return this;
        }

        public Builder<C> errorFormatter(@Nullable ToolErrorFormatter value) {
            this.errorFormatter = value;
            return this;
        }

        /** What a failed call does; {@link ToolFailureMode#REPORT_TO_MODEL} by default. */
        public Builder<C> failureMode(ToolFailureMode value) {
            this.failureMode = Objects.requireNonNull(value, "failureMode");
            return this;
        }

        public Tool<C> build() {
            return new Tool<>(this);
        }
    }
}
