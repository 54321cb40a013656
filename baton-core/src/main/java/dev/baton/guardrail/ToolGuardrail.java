package dev.baton.guardrail;

import dev.baton.internal.ToolAccess;
import dev.baton.tool.ToolContext;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Guards one function tool: before it runs ({@link #input}) or after ({@link #output}). The
 * decision allows the call, replaces what the model reads with a message (before: the tool does
 * not run), or raises {@link dev.baton.ToolGuardrailTripwireTriggered} to stop the run.
 */
public final class ToolGuardrail<C> {
    static {
        ToolAccess.install(new ToolAccess.Checks() {
            @Override
            public <D> Decision checkInput(ToolGuardrail<D> guardrail, ToolContext<D> context, String arguments) {
                return guardrail.checkInput(context, arguments);
            }

            @Override
            public <D> Decision checkOutput(ToolGuardrail<D> guardrail, ToolContext<D> context, String arguments, String output) {
                return guardrail.checkOutput(context, arguments, output);
            }
        });
    }

    /** What a tool guardrail decided. */
    public sealed interface Decision {
        /** The call goes on unchanged. */
        record Allow(@Nullable Object info) implements Decision {}

        /** The model reads {@code message} instead (of running the tool, or of its output). */
        record Replace(String message, @Nullable Object info) implements Decision {}

        /** The run stops with a tripwire exception. */
        record Raise(@Nullable Object info) implements Decision {}

        static Decision allow() {
            return new Allow(null);
        }

        static Decision replace(String message) {
            return new Replace(Objects.requireNonNull(message, "message"), null);
        }

        static Decision raise(@Nullable Object info) {
            return new Raise(info);
        }

        /** The information the guardrail attached. */
        default @Nullable Object info() {
            return switch (this) {
                case Allow a -> a.info();
                case Replace r -> r.info();
                case Raise r -> r.info();
            };
        }
    }

    /** Checks a call before the tool runs. */
    @FunctionalInterface
    public interface BeforeCheck<C> {
        Decision check(ToolContext<C> context, String arguments);
    }

    /** Checks a call's output before the model reads it. */
    @FunctionalInterface
    public interface AfterCheck<C> {
        Decision check(ToolContext<C> context, String arguments, String output);
    }

    private final String name;
    private final @Nullable BeforeCheck<C> before;
    private final @Nullable AfterCheck<C> after;

    private ToolGuardrail(String name, @Nullable BeforeCheck<C> before, @Nullable AfterCheck<C> after) {
        if (name == null || name.isBlank()) {
            throw new dev.baton.UserError("A guardrail needs a non-blank name");
        }
        this.name = name;
        this.before = before;
        this.after = after;
    }

    /** A guardrail that checks the arguments before the tool runs. */
    public static <C> ToolGuardrail<C> input(String name, BeforeCheck<C> check) {
        return new ToolGuardrail<>(name, Objects.requireNonNull(check, "check"), null);
    }

    /** A guardrail that checks the tool's output before the model reads it. */
    public static <C> ToolGuardrail<C> output(String name, AfterCheck<C> check) {
        return new ToolGuardrail<>(name, null, Objects.requireNonNull(check, "check"));
    }

    public String name() {
        return name;
    }

    public boolean isInput() {
        return before != null;
    }

    /** Runs an input guardrail. */
    Decision checkInput(ToolContext<C> context, String arguments) {
        Decision d = Objects.requireNonNull(before, "not an input guardrail").check(context, arguments);
        return d == null ? Decision.allow() : d;
    }

    /** Runs an output guardrail. */
    Decision checkOutput(ToolContext<C> context, String arguments, String output) {
        Decision d = Objects.requireNonNull(after, "not an output guardrail").check(context, arguments, output);
        return d == null ? Decision.allow() : d;
    }

    @Override
    public String toString() {
        return "ToolGuardrail[" + name + (before != null ? ", input" : ", output") + "]";
    }
}
