package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.durable.RecordedEvent;
import java.util.Iterator;
import java.util.Map;

/**
 * What the server shows of tool arguments and results. With sensitive data off, the API and the web
 * UI alike replace every tool call's arguments and every tool output (in events, the live stream and
 * approvals, the images of tool outputs included) with {@value #HIDDEN}; conversation text, tool names, tokens and timing stay visible.
 */
record Privacy(boolean sensitiveData) {
    /** What stands in for hidden arguments and results. */
    static final String HIDDEN = "[hidden]";

    /** An event's data as JSON, with arguments and results hidden when sensitive data is off. */
    JsonNode data(RecordedEvent e) {
        JsonNode data = Api.parse(e.data());
        if (!sensitiveData) {
            hide(data);
        }
        return data;
    }

    /** A tool call's arguments (JSON text) as the server may show them. */
    String arguments(String json) {
        return sensitiveData ? json : HIDDEN;
    }

    /**
     * Hides in place: the {@code arguments} of any object (tool and handoff calls, approval
     * requests, paused calls) and the {@code output} of any tool call output.
     */
    private static void hide(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("arguments")) {
                object.put("arguments", HIDDEN);
            }
            if ("function_call_output".equals(object.path("type").asText()) && object.has("output")) {
                object.put("output", HIDDEN);
                for (JsonNode image : object.path("images")) {
                    if (image instanceof ObjectNode o) {
                        o.put("url", HIDDEN);
                    }
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
                hide(fields.next().getValue());
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(Privacy::hide);
        }
    }
}
