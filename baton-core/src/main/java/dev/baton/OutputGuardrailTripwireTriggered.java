package dev.baton;

import dev.baton.guardrail.GuardrailResult;

/** Output guardrail '{@code result().name()}' triggered its tripwire. */
public final class OutputGuardrailTripwireTriggered extends GuardrailTripwireTriggered {
    public OutputGuardrailTripwireTriggered(GuardrailResult result) {
        super("Output guardrail '" + result.name() + "' triggered its tripwire on agent '" + result.agent() + "'"
                + (result.info() == null ? "" : ": " + result.info()), result);
    }
}
