package dev.baton.durable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.durable.internal.JournalCodec;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.item.Item;
import dev.baton.item.RunItem;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.ApprovalRequest;
import dev.baton.run.RunEvent;
import dev.baton.run.RunFailure;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Turns run events into their journal form and back: the event's own fields as JSON, a failure as
 * its type and message (never the exception). A {@link RunEvent.Nested} event keeps its call, path
 * and the nested event's type and fields, though the loop does not journal nested events (a replay
 * would not produce them again).
 *
 * <p>Read back, an event equals the one the run emitted, with two exceptions that follow from
 * keeping data rather than Java objects: a {@link RunEvent.RunFailed} has its {@link RunFailure}
 * and no exception, and values the codec cannot know the class of (a final output, a guardrail's
 * info) come back as plain JSON values: a {@code String}, number, {@code Boolean}, {@code List}
 * or {@code Map}.
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
            case RunEvent.GuardrailChecked e -> data.set("result", result(e.result()));
            case RunEvent.ApprovalRequested e -> data.set("request", tree(e.request()));
            case RunEvent.RunPaused e -> data.set("pending", tree(e.pending()));
            case RunEvent.RunCompleted e -> data.set("finalOutput", tree(e.finalOutput()));
            case RunEvent.RunFailed e -> {
                data.put("errorType", e.failure().type());
                data.put("message", e.failure().message());
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

    private static JsonNode items(List<Item> items) {
        try {
            return JournalCodec.JSON.readTree(JournalCodec.items(items));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A value as JSON; one Jackson cannot write (an application's guardrail info, say) becomes its text. */
    private static JsonNode tree(@Nullable Object value) {
        try {
            return JournalCodec.JSON.valueToTree(value);
        } catch (IllegalArgumentException e) {
            return JournalCodec.JSON.getNodeFactory().textNode(String.valueOf(value));
        }
    }

    /** The result's fields, its info on its own: info Jackson cannot write becomes text, and the rest stays readable. */
    private static ObjectNode result(GuardrailResult r) {
        ObjectNode node = JournalCodec.JSON.createObjectNode();
        node.put("name", r.name());
        node.put("kind", r.kind().name());
        node.put("agent", r.agent());
        node.put("callId", r.callId());
        node.put("tripwireTriggered", r.tripwireTriggered());
        node.set("info", tree(r.info()));
        return node;
    }

    private static final TypeReference<List<Item>> ITEMS = new TypeReference<>() {};
    private static final TypeReference<List<ApprovalRequest>> REQUESTS = new TypeReference<>() {};
    private static final TypeReference<List<String>> PATH = new TypeReference<>() {};

    /**
     * The typed event a record holds.
     *
     * @throws IllegalArgumentException naming the run, the sequence number and what is wrong, if
     *     the type is not one this version knows or the data does not fit it
     */
    static RunEvent event(RecordedEvent recorded) {
        try {
            JsonNode data = JournalCodec.JSON.readTree(recorded.data());
            return event(recorded.type(), recorded.runId(), recorded.seq(), recorded.agent(), recorded.at(), data);
        } catch (JsonProcessingException e) {
            throw unreadable(recorded, "its data is not JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw unreadable(recorded, e.getMessage(), e);
        }
    }

    private static IllegalArgumentException unreadable(RecordedEvent recorded, @Nullable String why, Exception cause) {
        return new IllegalArgumentException("Event " + recorded.seq() + " (" + recorded.type() + ") of run " + recorded.runId()
                + " cannot be read back: " + why, cause);
    }

    private static RunEvent event(String type, String runId, long seq, String agent, Instant at, JsonNode d) {
        if (!d.isObject()) {
            throw new IllegalArgumentException("its data is " + d.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                    + ", not a JSON object");
        }
        return switch (type) {
            case "RunStarted" -> new RunEvent.RunStarted(runId, seq, agent, at, value(d, "input", ITEMS));
            case "AgentUpdated" -> new RunEvent.AgentUpdated(runId, seq, agent, at, optionalText(d, "previous"));
            case "TurnStarted" -> new RunEvent.TurnStarted(runId, seq, agent, at, number(d, "turn"));
            case "ModelResponded" -> new RunEvent.ModelResponded(runId, seq, agent, at, number(d, "turn"),
                    new ModelResponse(value(d, "output", ITEMS), value(d, "usage", new TypeReference<Usage>() {}),
                            optionalText(d, "responseId")));
            case "TextDelta" -> new RunEvent.TextDelta(runId, seq, agent, at, text(d, "delta"));
            case "MessageOutput" -> new RunEvent.MessageOutput(runId, seq, agent, at,
                    value(d, "item", new TypeReference<RunItem.MessageItem>() {}));
            case "ReasoningOutput" -> new RunEvent.ReasoningOutput(runId, seq, agent, at,
                    value(d, "item", new TypeReference<RunItem.ReasoningItem>() {}));
            case "ToolCalled" -> new RunEvent.ToolCalled(runId, seq, agent, at,
                    value(d, "item", new TypeReference<RunItem.ToolCallItem>() {}));
            case "ToolFinished" -> new RunEvent.ToolFinished(runId, seq, agent, at,
                    value(d, "item", new TypeReference<RunItem.ToolOutputItem>() {}));
            case "HandoffRequested" -> new RunEvent.HandoffRequested(runId, seq, agent, at,
                    value(d, "item", new TypeReference<RunItem.HandoffCallItem>() {}));
            case "HandoffIgnored" -> new RunEvent.HandoffIgnored(runId, seq, agent, at,
                    value(d, "item", new TypeReference<RunItem.ToolOutputItem>() {}), text(d, "targetAgent"));
            case "HandoffOccurred" -> new RunEvent.HandoffOccurred(runId, seq, agent, at,
                    value(d, "item", new TypeReference<RunItem.HandoffOutputItem>() {}), text(d, "from"), text(d, "to"));
            case "GuardrailChecked" -> new RunEvent.GuardrailChecked(runId, seq, agent, at,
                    value(d, "result", new TypeReference<GuardrailResult>() {}));
            case "ApprovalRequested" -> new RunEvent.ApprovalRequested(runId, seq, agent, at,
                    value(d, "request", new TypeReference<ApprovalRequest>() {}));
            case "RunPaused" -> new RunEvent.RunPaused(runId, seq, agent, at, value(d, "pending", REQUESTS));
            case "RunCompleted" -> new RunEvent.RunCompleted(runId, seq, agent, at,
                    JournalCodec.JSON.convertValue(field(d, "finalOutput"), Object.class));
            case "RunFailed" -> new RunEvent.RunFailed(runId, seq, agent, at,
                    new RunFailure(text(d, "errorType"), optionalText(d, "message")), null);
            case "Nested" -> new RunEvent.Nested(text(d, "callId"), text(d, "toolName"), value(d, "path", PATH),
                    event(text(d, "eventType"), runId, seq, agent, at, field(d, "event")));
            default -> throw new IllegalArgumentException("'" + type + "' is not an event type this version of Baton knows");
        };
    }

    private static JsonNode field(JsonNode d, String name) {
        JsonNode value = d.get(name);
        if (value == null) {
            throw new IllegalArgumentException("its data has no '" + name + "'");
        }
        return value;
    }

    private static <T> T value(JsonNode d, String name, TypeReference<T> type) {
        JsonNode node = field(d, name);
        if (node.isNull()) {
            throw new IllegalArgumentException("its '" + name + "' is null");
        }
        try {
            return JournalCodec.JSON.convertValue(node, type);
        } catch (IllegalArgumentException e) {
            String why = e.getCause() instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException("its '" + name + "' does not fit (" + why + ")", e);
        }
    }

    private static String text(JsonNode d, String name) {
        JsonNode node = field(d, name);
        if (!node.isTextual()) {
            throw new IllegalArgumentException("its '" + name + "' is not text");
        }
        return node.asText();
    }

    private static @Nullable String optionalText(JsonNode d, String name) {
        JsonNode node = d.get(name);
        return node == null || node.isNull() ? null : text(d, name);
    }

    private static int number(JsonNode d, String name) {
        JsonNode node = field(d, name);
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new IllegalArgumentException("its '" + name + "' is not a whole number");
        }
        return node.intValue();
    }
}
