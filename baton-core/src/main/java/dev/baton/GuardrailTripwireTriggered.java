package dev.baton;

import dev.baton.guardrail.GuardrailResult;

/** A guardrail's tripwire stopped the run. {@link #result()} says which guardrail and what it found. */
public abstract sealed class GuardrailTripwireTriggered extends BatonException
        permits InputGuardrailTripwireTriggered, OutputGuardrailTripwireTriggered, ToolGuardrailTripwireTriggered {
    private final GuardrailResult result;

    protected GuardrailTripwireTriggered(String message, GuardrailResult result) {
        super(message);
        this.result = result;
    }

    /** The guardrail's result, with the information it produced. */
    public GuardrailResult result() {
        return result;
    }
}
