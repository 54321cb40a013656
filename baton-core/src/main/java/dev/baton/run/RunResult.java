package dev.baton.run;

import dev.baton.agent.Agent;
import dev.baton.internal.Schemas;
import dev.baton.item.Item;
import dev.baton.item.RunItem;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a finished run produced.
 *
 * @param runId the run's id
 * @param input what the run started from: session history and the new input
 * @param finalOutput the final output (the last agent's final message text)
 * @param lastAgent name of the agent that produced the final output and now holds the conversation
 * @param agent that agent itself, to run the next message with (see {@link #nextAgent()})
 * @param newItems everything the run produced, in order, attributed to agents
 * @param conversation the conversation as the last agent saw it, final output included; see {@link #toInputList()}
 * @param rawResponses every model response, in order
 * @param usage requests and tokens of the whole run (nested agent-as-tool runs included)
 * @param usageByAgent the same per agent name
 * @param turns model calls made by the run's own agents
 * @param guardrailResults every guardrail check of the run, in order
 * @param interruptions tool calls waiting for approval, when the run paused; empty otherwise
 * @param state the paused run's state, or null for a finished run
 * @param handedOffTo the agents the run handed the conversation to when it ended by handing off,
 *     in the order of the transfer calls; empty otherwise. Only a run with
 *     {@link RunOptions#withHandoffsToCaller(boolean)} ends this way; it has no final output, and
 *     {@link #lastAgent()} is the first target, which now holds the conversation.
 */
public record RunResult(
        String runId,
        List<Item> input,
        @Nullable Object finalOutput,
        String lastAgent,
        Agent<?> agent,
        List<RunItem> newItems,
        List<Item> conversation,
        List<ModelResponse> rawResponses,
        Usage usage,
        Map<String, Usage> usageByAgent,
        int turns,
        List<dev.baton.guardrail.GuardrailResult> guardrailResults,
        List<ApprovalRequest> interruptions,
        @Nullable RunState state,
        List<String> handedOffTo) {

    public RunResult {
        java.util.Objects.requireNonNull(agent, "agent");
        input = List.copyOf(input);
        newItems = List.copyOf(newItems);
        conversation = List.copyOf(conversation);
        rawResponses = List.copyOf(rawResponses);
        usageByAgent = Map.copyOf(usageByAgent);
        guardrailResults = List.copyOf(guardrailResults);
        interruptions = List.copyOf(interruptions);
        handedOffTo = List.copyOf(handedOffTo);
    }

    /** True when the run ended by handing off to its caller; see {@link #handedOffTo()}. */
    public boolean isHandedOff() {
        return !handedOffTo.isEmpty();
    }

    /**
     * The agent that now holds the conversation, typed for the caller's context: run the next
     * message with it when not using a session (the Swarm loop, {@code agent = result.nextAgent()}).
     */
    @SuppressWarnings("unchecked")
    public <C> Agent<C> nextAgent() {
        return (Agent<C>) agent;
    }

    /** True when the run paused for approvals instead of finishing. */
    public boolean isPaused() {
        return state != null;
    }

    /**
     * The paused run's state, to approve or reject its pending calls and resume it.
     *
     * @throws IllegalStateException if the run finished
     */
    public RunState toState() {
        if (state == null) {
            throw new IllegalStateException("run " + runId + " finished; only a paused run has a state to resume");
        }
        return state;
    }

    /** The final output as text: the string itself, or JSON for a structured output. */
    public String finalOutputText() {
        if (finalOutput == null) {
            return "";
        }
        if (finalOutput instanceof String s) {
            return s;
        }
        try {
            return Schemas.mapper().writeValueAsString(finalOutput);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return String.valueOf(finalOutput);
        }
    }

    /** The final output as {@code type}. */
    public <T> T finalOutputAs(Class<T> type) {
        if (!type.isInstance(finalOutput)) {
            throw new ClassCastException("final output is " + (finalOutput == null ? "missing (the run paused)"
                    : "a " + finalOutput.getClass().getSimpleName()) + ", not a " + type.getSimpleName());
        }
        return type.cast(finalOutput);
    }

    /**
     * The conversation to send with the next user message when not using a session: append the
     * new message and run the {@link #lastAgent()}.
     */
    public List<Item> toInputList() {
        return conversation;
    }

    /** {@link #toInputList()} followed by {@code next}. */
    public List<Item> toInputList(Item next) {
        List<Item> all = new ArrayList<>(conversation);
        all.add(next);
        return all;
    }

    /** The handoffs that took place, in order, as {@code from -> to} pairs. */
    public List<Map.Entry<String, String>> handoffs() {
        return newItems.stream()
                .filter(i -> i instanceof RunItem.HandoffOutputItem)
                .map(i -> Map.entry(i.agent(), ((RunItem.HandoffOutputItem) i).target()))
                .toList();
    }
}
