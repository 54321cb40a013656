package dev.baton;

import dev.baton.guardrail.GuardrailResult;

/**
 * A tool guardrail raised: {@code result().kind()} says whether before the tool ran
 * ({@code TOOL_INPUT}) or after ({@code TOOL_OUTPUT}); {@code result().callId()} names the call.
 */
public final class ToolGuardrailTripwireTriggered extends GuardrailTripwireTriggered {
    public ToolGuardrailTripwireTriggered(GuardrailResult result) {
        super("Tool guardrail '" + result.name() + "' stopped call " + result.callId() + " of agent '" + result.agent() + "'"
                + (result.info() == null ? "" : ": " + result.info()), result);
    }
}
