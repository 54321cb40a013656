package dev.baton.guardrail;

import org.jspecify.annotations.Nullable;

/**
 * One guardrail check in a run: which guardrail, of what kind, on which agent (and tool call),
 * and what it decided. Listed in {@code RunResult.guardrailResults()} and sent as a
 * {@code GuardrailChecked} event.
 *
 * @param name the guardrail's name
 * @param kind where it ran
 * @param agent the agent it guarded
 * @param callId the tool call, for tool guardrails; null otherwise
 * @param tripwireTriggered whether it stopped the run (or, for tool guardrails, the call)
 * @param info what the guardrail produced
 */
public record GuardrailResult(String name, Kind kind, String agent, @Nullable String callId, boolean tripwireTriggered,
        @Nullable Object info) {

    /** Where a guardrail runs. */
    public enum Kind { INPUT, OUTPUT, TOOL_INPUT, TOOL_OUTPUT }
}
