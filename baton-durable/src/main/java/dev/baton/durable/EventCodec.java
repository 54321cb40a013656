package dev.baton.durable;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
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
import java.io.IOException;
import java.io.StringWriter;
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
                data(event));
    }

    /** The event's fields as JSON text, written in one pass: events are journaled on the run's path. */
    private static String data(RunEvent event) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JournalCodec.JSON.getFactory().createGenerator(out)) {
            write(g, event);
        } catch (IOException e) {
            throw new IllegalStateException("could not journal " + event.getClass().getSimpleName() + " of run "
                    + event.runId() + ": " + e.getMessage(), e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, RunEvent event) throws IOException {
        g.writeStartObject();
        switch (event) {
            case RunEvent.RunStarted e -> items(g, "input", e.input());
            case RunEvent.AgentUpdated e -> g.writeStringField("previous", e.previous());
            case RunEvent.TurnStarted e -> g.writeNumberField("turn", e.turn());
            case RunEvent.ModelResponded e -> {
                g.writeNumberField("turn", e.turn());
                value(g, "usage", e.response().usage());
                g.writeStringField("responseId", e.response().responseId());
                items(g, "output", e.response().output());
            }
            case RunEvent.TextDelta e -> g.writeStringField("delta", e.delta());
            case RunEvent.MessageOutput e -> value(g, "item", e.item());
            case RunEvent.ReasoningOutput e -> value(g, "item", e.item());
            case RunEvent.ToolCalled e -> value(g, "item", e.item());
            case RunEvent.ToolFinished e -> value(g, "item", e.item());
            case RunEvent.HandoffRequested e -> value(g, "item", e.item());
            case RunEvent.HandoffIgnored e -> {
                value(g, "item", e.item());
                g.writeStringField("targetAgent", e.targetAgent());
            }
            case RunEvent.HandoffOccurred e -> {
                value(g, "item", e.item());
                g.writeStringField("from", e.from());
                g.writeStringField("to", e.to());
            }
            case RunEvent.GuardrailChecked e -> {
                g.writeFieldName("result");
                JournalCodec.JSON.writeTree(g, result(e.result()));
            }
            case RunEvent.ApprovalRequested e -> value(g, "request", e.request());
            case RunEvent.RunPaused e -> value(g, "pending", e.pending());
            case RunEvent.RunCompleted e -> lenient(g, "finalOutput", e.finalOutput());
            case RunEvent.RunFailed e -> {
                g.writeStringField("errorType", e.failure().type());
                g.writeStringField("message", e.failure().message());
            }
            case RunEvent.Nested e -> {
                // The record's run id, sequence, agent and time are the nested event's own.
                g.writeStringField("callId", e.callId());
                g.writeStringField("toolName", e.toolName());
                value(g, "path", e.path());
                g.writeStringField("eventType", e.event().getClass().getSimpleName());
                g.writeFieldName("event");
                write(g, e.event());
            }
        }
        g.writeEndObject();
    }

    private static void items(JsonGenerator g, String name, List<Item> items) throws IOException {
        g.writeFieldName(name);
        ITEMS_WRITER.writeValue(g, items); // for the declared element type, so each item carries its type id
    }

    /** A value of one of Baton's own types, which Jackson always writes. */
    private static void value(JsonGenerator g, String name, @Nullable Object value) throws IOException {
        g.writeFieldName(name);
        JournalCodec.JSON.writeValue(g, value);
    }

    /** A value of the application's (a final output), which may be one Jackson cannot write: it becomes its text. */
    private static void lenient(JsonGenerator g, String name, @Nullable Object value) throws IOException {
        if (value == null || value instanceof String) {
            g.writeStringField(name, (String) value);
            return;
        }
        g.writeFieldName(name);
        JournalCodec.JSON.writeTree(g, tree(value));
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
    private static final ObjectWriter ITEMS_WRITER = JournalCodec.JSON.writerFor(ITEMS);
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
