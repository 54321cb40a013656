package dev.baton;

import dev.baton.guardrail.GuardrailResult;

/** Input guardrail '{@code result().name()}' triggered its tripwire. */
public final class InputGuardrailTripwireTriggered extends GuardrailTripwireTriggered {
    public InputGuardrailTripwireTriggered(GuardrailResult result) {
        super("Input guardrail '" + result.name() + "' triggered its tripwire on agent '" + result.agent() + "'"
                + (result.info() == null ? "" : ": " + result.info()), result);
    }
}
