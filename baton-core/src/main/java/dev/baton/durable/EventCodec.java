package dev.baton.durable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.run.RunEvent;

/**
 * Turns run events into their journal form: the event's own fields as JSON, error objects as type
 * and message. A {@link RunEvent.Nested} event keeps its call, path and the nested event's type and
 * fields, though the loop does not journal nested events (a replay would not produce them again).
 */
final class EventCodec {
    private EventCodec() {}

    static RecordedEvent record(RunEvent event) {
        return new RecordedEvent(event.runId(), event.seq(), event.getClass().getSimpleName(), event.agent(), event.at(),
                data(event).toString());
    }

    private static ObjectNode data(RunEvent event) {
        ObjectNode data = JournalCodec.JSON.createObjectNode();
        switch (event) {
            case RunEvent.RunStarted e -> data.set("input", items(e.input()));
            case RunEvent.AgentUpdated e -> data.put("previous", e.previous());
            case RunEvent.TurnStarted e -> data.put("turn", e.turn());
            case RunEvent.ModelResponded e -> {
                data.put("turn", e.turn());
                data.set("usage", tree(e.response().usage()));
                data.put("responseId", e.response().responseId());
                data.set("output", items(e.response().output()));
            }
            case RunEvent.TextDelta e -> data.put("delta", e.delta());
            case RunEvent.MessageOutput e -> data.set("item", tree(e.item()));
            case RunEvent.ReasoningOutput e -> data.set("item", tree(e.item()));
            case RunEvent.ToolCalled e -> data.set("item", tree(e.item()));
            case RunEvent.ToolFinished e -> data.set("item", tree(e.item()));
            case RunEvent.HandoffRequested e -> data.set("item", tree(e.item()));
            case RunEvent.HandoffIgnored e -> {
                data.set("item", tree(e.item()));
                data.put("targetAgent", e.targetAgent());
            }
            case RunEvent.HandoffOccurred e -> {
                data.set("item", tree(e.item()));
                data.put("from", e.from());
                data.put("to", e.to());
            }
            case RunEvent.GuardrailChecked e -> data.set("result", tree(e.result()));
            case RunEvent.ApprovalRequested e -> data.set("request", tree(e.request()));
            case RunEvent.RunPaused e -> data.set("pending", tree(e.pending()));
            case RunEvent.RunCompleted e -> data.set("finalOutput", tree(e.finalOutput()));
            case RunEvent.RunFailed e -> {
                data.put("errorType", e.error().getClass().getName());
                data.put("message", String.valueOf(e.error().getMessage()));
            }
            case RunEvent.Nested e -> {
                // The record's run id, sequence, agent and time are the nested event's own.
                data.put("callId", e.callId());
                data.put("toolName", e.toolName());
                data.set("path", tree(e.path()));
                data.put("eventType", e.event().getClass().getSimpleName());
                data.set("event", data(e.event()));
            }
        }
        return data;
    }

    private static com.fasterxml.jackson.databind.JsonNode items(java.util.List<dev.baton.item.Item> items) {
        try {
            return JournalCodec.JSON.readTree(JournalCodec.items(items));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A value as JSON; one Jackson cannot write (an application's guardrail info, say) becomes its text. */
    private static com.fasterxml.jackson.databind.JsonNode tree(Object value) {
        try {
            return JournalCodec.JSON.valueToTree(value);
        } catch (IllegalArgumentException e) {
            return JournalCodec.JSON.getNodeFactory().textNode(String.valueOf(value));
        }
    }
}
