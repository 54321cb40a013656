package dev.baton.run;

import dev.baton.item.Item;
import dev.baton.item.RunItem;
import dev.baton.model.ModelResponse;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened in a run, in order. Every event carries the run id, a per-run
 * sequence number starting at 0 with no gaps, the active agent's name and a timestamp. Streaming,
 * listeners and (later) the journal and tracing all read this one sequence.
 *
 * <p>The {@link ItemEvent}s carry the run's items: collected in order they are exactly
 * {@link RunResult#newItems()}, streamed or not.
 *
 * <p>While an agent runs as a tool, its run's events reach the caller's stream and listener
 * wrapped in {@link Nested}; they keep their own run id and sequence, so the caller's own events
 * stay exactly what they would be without them.
 */
public sealed interface RunEvent {

    String runId();

    long seq();

    /** The agent active when the event happened. */
    String agent();

    Instant at();

    /** An event that adds an item to the run. */
    sealed interface ItemEvent extends RunEvent {
        RunItem item();
    }

    /** The run began with this input (after session history was loaded). */
    record RunStarted(String runId, long seq, String agent, Instant at, List<Item> input) implements RunEvent {}

    /** {@code agent} is now active; {@code previous} is null at the start of the run. */
    record AgentUpdated(String runId, long seq, String agent, Instant at, @Nullable String previous) implements RunEvent {}

    /** A turn (one model call and what follows from it) began. Turns count from 1. */
    record TurnStarted(String runId, long seq, String agent, Instant at, int turn) implements RunEvent {}

    /** The model answered. */
    record ModelResponded(String runId, long seq, String agent, Instant at, int turn, ModelResponse response) implements RunEvent {}

    /** Text the model streamed before its answer was complete. */
    record TextDelta(String runId, long seq, String agent, Instant at, String delta) implements RunEvent {}

    /** The model wrote a message. */
    record MessageOutput(String runId, long seq, String agent, Instant at, RunItem.MessageItem item) implements ItemEvent {}

    /** The model produced a reasoning item. */
    record ReasoningOutput(String runId, long seq, String agent, Instant at, RunItem.ReasoningItem item) implements ItemEvent {}

    /** The model called a tool. */
    record ToolCalled(String runId, long seq, String agent, Instant at, RunItem.ToolCallItem item) implements ItemEvent {}

    /** A tool call has its output (a result or an error the model will read). */
    record ToolFinished(String runId, long seq, String agent, Instant at, RunItem.ToolOutputItem item) implements ItemEvent {}

    /** The model called a handoff's transfer function. */
    record HandoffRequested(String runId, long seq, String agent, Instant at, RunItem.HandoffCallItem item) implements ItemEvent {}

    /**
     * A handoff call was not carried out because another handoff in the same response came first;
     * {@code item} is the output telling the model so.
     */
    record HandoffIgnored(String runId, long seq, String agent, Instant at, RunItem.ToolOutputItem item, String targetAgent)
            implements ItemEvent {}

    /** The conversation passed from {@code from} to {@code to}. */
    record HandoffOccurred(String runId, long seq, String agent, Instant at, RunItem.HandoffOutputItem item, String from, String to)
            implements ItemEvent {}

    /** A guardrail checked the input, the final output or a tool call. */
    record GuardrailChecked(String runId, long seq, String agent, Instant at, dev.baton.guardrail.GuardrailResult result)
            implements RunEvent {}

    /** A tool call waits for a human's approval; the run will pause at the end of this turn. */
    record ApprovalRequested(String runId, long seq, String agent, Instant at, ApprovalRequest request) implements RunEvent {}

    /** The run paused for approvals; resume it with {@code Runner.resume}. The last event of a paused run. */
    record RunPaused(String runId, long seq, String agent, Instant at, List<ApprovalRequest> pending) implements RunEvent {}

    /**
     * The run ended with a final output. Always the last event of a successful run. A run that
     * ended by handing off to its caller ({@link RunOptions#withHandoffsToCaller}) has no final
     * output: {@code finalOutput} is null, and its {@link HandoffOccurred} events name the targets.
     */
    record RunCompleted(String runId, long seq, String agent, Instant at, @Nullable Object finalOutput) implements RunEvent {}

    /**
     * The run ended with an error. Always the last event of a failed run. {@code failure} says what
     * went wrong wherever the event is read; {@code error} is the exception itself, there only in the
     * process where the run failed (an event read back from a run store has none).
     */
    record RunFailed(String runId, long seq, String agent, Instant at, RunFailure failure, @Nullable Throwable error)
            implements RunEvent {
        public RunFailed {
            Objects.requireNonNull(failure, "failure");
        }

        /** The event as a run emits it: {@code error}, and the failure it describes. */
        public RunFailed(String runId, long seq, String agent, Instant at, Throwable error) {
            this(runId, seq, agent, at, RunFailure.of(error), error);
        }
    }

    /**
     * An event of a run nested in this one: an agent used as a tool, called with {@code callId} of
     * tool {@code toolName} by this run. {@code event} is the nested run's event as that run
     * reported it, never itself a {@code Nested}: an event from deeper down (an agent-tool of an
     * agent-tool) is delivered once, with the whole path. Delivered as it happens, in the nested
     * run's order, and never journaled as part of this run.
     *
     * <p>{@link #runId()}, {@link #seq()}, {@link #agent()} and {@link #at()} are those of
     * {@code event}: its run's id (not this run's) and its place in that run's gapless sequence.
     * Several nested runs (concurrent tool calls) may interleave; each one's events stay in order.
     *
     * @param callId the call, in this run, that started the nested run (it matches a {@link ToolCalled} item)
     * @param toolName the tool this run's agent called
     * @param path the agents from this run's calling agent down to the one active in the nested run
     *     when {@code event} happened, such as {@code [support_triage, researcher]}
     * @param event the nested run's event
     */
    record Nested(String callId, String toolName, List<String> path, RunEvent event) implements RunEvent {
        public Nested {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(toolName, "toolName");
            path = List.copyOf(path);
            Objects.requireNonNull(event, "event");
            if (event instanceof Nested) {
                throw new IllegalArgumentException("a Nested event wraps the nested run's own event, not another Nested");
            }
        }

        @Override
        public String runId() {
            return event.runId();
        }

        @Override
        public long seq() {
            return event.seq();
        }

        @Override
        public String agent() {
            return event.agent();
        }

        @Override
        public Instant at() {
            return event.at();
        }
    }

    /** True for the last event of a run; a {@link Nested} event never is, whatever it wraps. */
    default boolean isTerminal() {
        return this instanceof RunCompleted || this instanceof RunFailed || this instanceof RunPaused;
    }
}
