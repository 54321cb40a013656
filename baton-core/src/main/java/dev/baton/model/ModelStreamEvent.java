package dev.baton.model;

/** A piece of a model response that arrived before the whole response. */
public sealed interface ModelStreamEvent {

    /** Text appended to the assistant message being written. */
    record TextDelta(String text) implements ModelStreamEvent {}

    /**
     * Part of a function call being written: {@code index} is the call's position in the
     * response's output list; {@code callId} and {@code name} may be empty until known.
     */
    record ToolCallDelta(int index, String callId, String name, String argumentsDelta) implements ModelStreamEvent {}

    /** Part of a reasoning summary. */
    record ReasoningDelta(String text) implements ModelStreamEvent {}

    /**
     * Part of a refusal being written: the model is declining to answer. Kept apart from
     * {@link TextDelta}, so a refusal never streams as answer text; the run does not report it as
     * a text delta either (the refusal arrives whole on the message).
     */
    record RefusalDelta(String text) implements ModelStreamEvent {}
}
