package dev.baton.guardrail;

import org.jspecify.annotations.Nullable;

/**
 * What a guardrail decided: whether its tripwire triggered, and any information it produced
 * (a classification, a reason) for the run result, the events and the tripwire exception.
 */
public record GuardrailOutput(boolean tripwireTriggered, @Nullable Object info) {

    public static GuardrailOutput pass() {
        return new GuardrailOutput(false, null);
    }

    public static GuardrailOutput pass(@Nullable Object info) {
        return new GuardrailOutput(false, info);
    }

    public static GuardrailOutput trip(@Nullable Object info) {
        return new GuardrailOutput(true, info);
    }
}
