package dev.baton.guardrail;

import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.run.RunContext;
import dev.baton.run.RunResult;
import java.util.List;
import java.util.Objects;

/**
 * Checks a run's input before the first agent acts on it: off-topic requests, abuse, a ticket
 * that belongs elsewhere. If its tripwire triggers the run fails with
 * {@link dev.baton.InputGuardrailTripwireTriggered}.
 *
 * <p>By default a guardrail runs in parallel with the first agent's first model call, and a trip
 * cancels that call; nothing the model asked for (tools, handoffs) runs before every guardrail
 * has passed. {@link #blocking()} runs it before the first model call instead, so a rejected
 * request costs no model call at all.
 */
public final class InputGuardrail<C> {

    /** The check: the run context, the first agent, and the run's input. */
    @FunctionalInterface
    public interface Check<C> {
        GuardrailOutput check(RunContext<C> context, Agent<C> agent, List<Item> input);
    }

    /** Decides from a guardrail agent's final output. */
    @FunctionalInterface
    public interface Decision<C, T> {
        GuardrailOutput decide(RunContext<C> context, T output);
    }

    private final String name;
    private final Check<C> check;
    private final boolean blocking;

    private InputGuardrail(String name, Check<C> check, boolean blocking) {
        if (name == null || name.isBlank()) {
            throw new dev.baton.UserError("A guardrail needs a non-blank name");
        }
        this.name = name;
        this.check = Objects.requireNonNull(check, "check");
        this.blocking = blocking;
    }

    public static <C> InputGuardrail<C> of(String name, Check<C> check) {
        return new InputGuardrail<>(name, check, false);
    }

    /**
     * A guardrail backed by an agent: {@code guard} runs on the input as a nested run (sharing the
     * context object) and {@code decision} turns its final output, of {@code outputClass}, into
     * the verdict. The decision may store what it learned (a priority) in the context object for
     * the specialists to read.
     */
    public static <C, T> InputGuardrail<C> fromAgent(String name, Agent<C> guard, Class<T> outputClass, Decision<C, T> decision) {
        Objects.requireNonNull(guard, "guard");
        Objects.requireNonNull(decision, "decision");
        return of(name, (ctx, agent, input) -> {
            RunResult result = ctx.runner().run(guard, input, ctx.nestedRunOptions());
            Object output = result.finalOutput();
            if (!outputClass.isInstance(output)) {
                throw new IllegalStateException("guardrail agent '" + guard.name() + "' produced a "
                        + output.getClass().getSimpleName() + ", not a " + outputClass.getSimpleName()
                        + " (give it outputType(" + outputClass.getSimpleName() + ".class))");
            }
            return decision.decide(ctx, outputClass.cast(output));
        });
    }

    /** This guardrail, run before the first model call rather than beside it. */
    public InputGuardrail<C> blocking() {
        return new InputGuardrail<>(name, check, true);
    }

    public String name() {
        return name;
    }

    public boolean isBlocking() {
        return blocking;
    }

    /** Runs the check. */
    public GuardrailOutput run(RunContext<C> context, Agent<C> agent, List<Item> input) {
        GuardrailOutput out = check.check(context, agent, input);
        return out == null ? GuardrailOutput.pass() : out;
    }

    @Override
    public String toString() {
        return "InputGuardrail[" + name + (blocking ? ", blocking" : "") + "]";
    }
}
