package dev.baton.otel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Baton's conversation items as the GenAI conventions' input and output messages: JSON arrays of
 * {@code {"role", "parts": [...]}} with text, {@code tool_call}, {@code tool_call_response} and
 * {@code reasoning} parts (schemas gen-ai-input-messages.json and gen-ai-output-messages.json).
 * Recorded on spans as JSON strings, which the conventions allow where structured attributes are not
 * supported (OpenTelemetry Java attributes cannot hold nested objects).
 */
final class Messages {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private Messages() {}

    /** The items a model was sent, in order; consecutive items of one speaker share a message. */
    static String input(List<Item> items) {
        ArrayNode messages = MAPPER.createArrayNode();
        ObjectNode current = null;
        for (Item item : items) {
            String role = roleOf(item);
            boolean joins = current != null && role.equals(current.get("role").asText()) && joinsMessage(item, current);
            if (!joins) {
                current = messages.addObject();
                current.put("role", role);
                current.putArray("parts");
            }
            addPart((ArrayNode) current.get("parts"), item);
        }
        return write(messages);
    }

    /**
     * Whether an item continues the message before it: a response's tool calls and reasoning join
     * its text, tool outputs join each other, but a second text starts a new message.
     */
    private static boolean joinsMessage(Item item, ObjectNode current) {
        if (!(item instanceof Message m)) {
            return true;
        }
        if (m.role() != Message.Role.ASSISTANT) {
            return false;
        }
        for (JsonNode part : current.get("parts")) {
            if (part.get("type").asText().equals("text")) {
                return false;
            }
        }
        return true;
    }

    /** The items of one model response, as its one output message (one choice). */
    static String output(List<Item> items) {
        ArrayNode messages = MAPPER.createArrayNode();
        ObjectNode message = messages.addObject();
        message.put("role", "assistant");
        ArrayNode parts = message.putArray("parts");
        boolean calledTools = false;
        for (Item item : items) {
            addPart(parts, item);
            calledTools |= item instanceof ToolCall;
        }
        message.put("finish_reason", calledTools ? "tool_call" : "stop");
        return write(messages);
    }

    private static String roleOf(Item item) {
        return switch (item) {
            case Message m -> switch (m.role()) {
                case USER -> "user";
                case ASSISTANT -> "assistant";
                case SYSTEM, DEVELOPER -> "system";
            };
            case ToolCall c -> "assistant";
            case Reasoning r -> "assistant";
            case ToolOutput o -> "tool";
        };
    }

    private static void addPart(ArrayNode parts, Item item) {
        switch (item) {
            case Message m -> {
                if (!m.text().isEmpty() || !m.refused()) {
                    parts.addObject().put("type", "text").put("content", m.text());
                }
                if (m.refused()) {
                    parts.addObject().put("type", "refusal").put("content", m.refusal());
                }
            }
            case ToolCall c -> {
                ObjectNode part = parts.addObject().put("type", "tool_call").put("id", c.callId()).put("name", c.name());
                part.set("arguments", jsonOrText(c.arguments()));
            }
            case ToolOutput o -> parts.addObject().put("type", "tool_call_response").put("id", o.callId()).put("response", o.describe());
            case Reasoning r -> {
                if (!r.summary().isEmpty()) {
                    parts.addObject().put("type", "reasoning").put("content", r.summary());
                }
            }
        }
    }

    /** Arguments as the object the conventions expect where they parse, else the text the model wrote. */
    private static JsonNode jsonOrText(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return MAPPER.getNodeFactory().objectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node != null && (node.isObject() || node.isArray())) {
                return node;
            }
        } catch (JsonProcessingException e) {
            // Malformed arguments are recorded as written.
        }
        return MAPPER.getNodeFactory().textNode(text);
    }

    private static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write messages as JSON", e);
        }
    }
}
