package dev.baton.internal;

import dev.baton.guardrail.ToolGuardrail;
import dev.baton.model.ToolSpec;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolContext;
import org.jspecify.annotations.Nullable;

/**
 * Not API. What the runner does with a {@link Tool} and its {@link ToolGuardrail}s that users do
 * not: read the spec sent to the model, run a guardrail's check. {@code Tool} and
 * {@code ToolGuardrail} each install their part when their class initialises.
 */
public final class ToolAccess {

    /** Implemented by {@code Tool} only. */
    @FunctionalInterface
    public interface Specs {
        ToolSpec spec(Tool<?> tool);
    }

    /** Implemented by {@code ToolGuardrail} only. */
    public interface Checks {
        <C> ToolGuardrail.Decision checkInput(ToolGuardrail<C> guardrail, ToolContext<C> context, String arguments);

        <C> ToolGuardrail.Decision checkOutput(ToolGuardrail<C> guardrail, ToolContext<C> context, String arguments,
                String output);
    }

    private static volatile @Nullable Specs specs;
    private static volatile @Nullable Checks checks;

    private ToolAccess() {}

    /** Called once, by {@code Tool}'s static initialiser; later calls are refused. */
    public static synchronized void install(Specs implementation) {
        specs = Accessors.once(specs, implementation, Tool.class);
    }

    /** Called once, by {@code ToolGuardrail}'s static initialiser; later calls are refused. */
    public static synchronized void install(Checks implementation) {
        checks = Accessors.once(checks, implementation, ToolGuardrail.class);
    }

    /** The tool as sent to a model. */
    public static ToolSpec spec(Tool<?> tool) {
        return Accessors.get(specs, () -> specs, Tool.class).spec(tool);
    }

    /** Runs an input guardrail on a call's arguments; a check that returned null allows the call. */
    public static <C> ToolGuardrail.Decision checkInput(ToolGuardrail<C> guardrail, ToolContext<C> context, String arguments) {
        return checks().checkInput(guardrail, context, arguments);
    }

    /** Runs an output guardrail on a call's output; a check that returned null allows it. */
    public static <C> ToolGuardrail.Decision checkOutput(ToolGuardrail<C> guardrail, ToolContext<C> context,
            String arguments, String output) {
        return checks().checkOutput(guardrail, context, arguments, output);
    }

    private static Checks checks() {
        return Accessors.get(checks, () -> checks, ToolGuardrail.class);
    }
}
