package dev.baton.guardrail;

import dev.baton.agent.Agent;
import dev.baton.run.RunContext;
import java.util.Objects;

/**
 * Checks the final output of the agent that produces it (a promise the desk cannot keep, leaked
 * data). If its tripwire triggers the run fails with {@link dev.baton.OutputGuardrailTripwireTriggered}.
 */
public final class OutputGuardrail<C> {

    /** The check: the run context, the agent that produced the output, and the output. */
    @FunctionalInterface
    public interface Check<C> {
        GuardrailOutput check(RunContext<C> context, Agent<C> agent, Object output);
    }

    private final String name;
    private final Check<C> check;

    private OutputGuardrail(String name, Check<C> check) {
        if (name == null || name.isBlank()) {
            throw new dev.baton.UserError("A guardrail needs a non-blank name");
        }
        this.name = name;
        this.check = Objects.requireNonNull(check, "check");
    }

    public static <C> OutputGuardrail<C> of(String name, Check<C> check) {
        return new OutputGuardrail<>(name, check);
    }

    public String name() {
        return name;
    }

    /** Runs the check. */
    public GuardrailOutput run(RunContext<C> context, Agent<C> agent, Object output) {
        GuardrailOutput out = check.check(context, agent, output);
        return out == null ? GuardrailOutput.pass() : out;
    }

    @Override
    public String toString() {
        return "OutputGuardrail[" + name + "]";
    }
}
