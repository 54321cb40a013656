package dev.baton.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.testing.ConformanceScript;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ConformanceScript#supportFlow} over the wire: answers a Chat Completions request JSON
 * (plain or {@code stream: true}) the way the script answers the matching Baton request.
 */
final class SupportFlowServer {
    private SupportFlowServer() {}

    static FixtureServer start() {
        return new FixtureServer().answering(SupportFlowServer::answer);
    }

    static FixtureServer.Reply answer(JsonNode request) {
        JsonNode messages = request.path("messages");
        String function = null;
        String arguments = null;
        String text = null;
        if (offers(request, ConformanceScript.HANDOFF_TOOL)) {
            function = ConformanceScript.HANDOFF_TOOL;
            arguments = "{}";
        } else if (answersInvoiceCall(messages)) {
            text = ConformanceScript.REFUND_REPLY;
        } else {
            function = ConformanceScript.INVOICE_TOOL;
            arguments = ConformanceScript.INVOICE_ARGUMENTS;
        }
        String callId = function == null ? null : "call_" + function + "_" + messages.size();
        int promptTokens = 10 + request.toString().length() / 4;
        int completionTokens = text != null ? 8 : 6;
        ObjectNode usage = FixtureServer.JSON.createObjectNode()
                .put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
        return request.path("stream").asBoolean(false)
                ? stream(text, callId, function, arguments, request.path("stream_options").path("include_usage").asBoolean(false) ? usage : null)
                : FixtureServer.Reply.json(whole(text, callId, function, arguments, usage).toString());
    }

    private static boolean offers(JsonNode request, String name) {
        for (JsonNode tool : request.path("tools")) {
            if (name.equals(tool.path("function").path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    private static boolean answersInvoiceCall(JsonNode messages) {
        if (messages.isEmpty()) {
            return false;
        }
        int at = messages.size() - 1;
        // The images of tool outputs follow the tool messages in a user message of parts: look past it.
        while (at > 0 && "user".equals(messages.get(at).path("role").asText()) && messages.get(at).path("content").isArray()
                && "tool".equals(messages.get(at - 1).path("role").asText())) {
            at--;
        }
        JsonNode last = messages.get(at);
        if (!"tool".equals(last.path("role").asText())) {
            return false;
        }
        String id = last.path("tool_call_id").asText();
        for (JsonNode message : messages) {
            for (JsonNode call : message.path("tool_calls")) {
                if (id.equals(call.path("id").asText())
                        && ConformanceScript.INVOICE_TOOL.equals(call.path("function").path("name").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static ObjectNode whole(String text, String callId, String function, String arguments, ObjectNode usage) {
        ObjectNode body = envelope("chat.completion");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (text != null) {
            message.put("content", text);
            choice.put("finish_reason", "stop");
        } else {
            message.putNull("content");
            ObjectNode call = message.putArray("tool_calls").addObject();
            call.put("id", callId).put("type", "function");
            call.putObject("function").put("name", function).put("arguments", arguments);
            choice.put("finish_reason", "tool_calls");
        }
        body.set("usage", usage);
        return body;
    }

    private static FixtureServer.Reply stream(String text, String callId, String function, String arguments, ObjectNode usage) {
        List<String> chunks = new ArrayList<>();
        if (text != null) {
            chunks.add(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
            int third = text.length() / 3;
            for (String piece : List.of(text.substring(0, third), text.substring(third, 2 * third), text.substring(2 * third))) {
                ObjectNode delta = FixtureServer.JSON.createObjectNode().put("content", piece);
                chunks.add(chunk(delta.toString(), null));
            }
            chunks.add(chunk("{}", "stop"));
        } else {
            ObjectNode first = FixtureServer.JSON.createObjectNode();
            first.put("role", "assistant").putNull("content");
            ObjectNode call = first.putArray("tool_calls").addObject();
            call.put("index", 0).put("id", callId).put("type", "function");
            call.putObject("function").put("name", function).put("arguments", "");
            chunks.add(chunk(first.toString(), null));
            int half = arguments.length() / 2;
            for (String piece : List.of(arguments.substring(0, half), arguments.substring(half))) {
                ObjectNode delta = FixtureServer.JSON.createObjectNode();
                ArrayNode calls = delta.putArray("tool_calls");
                calls.addObject().put("index", 0).putObject("function").put("arguments", piece);
                chunks.add(chunk(delta.toString(), null));
            }
            chunks.add(chunk("{}", "tool_calls"));
        }
        if (usage != null) {
            ObjectNode last = envelope("chat.completion.chunk");
            last.putArray("choices");
            last.set("usage", usage);
            chunks.add(last.toString());
        }
        return FixtureServer.Reply.sse(chunks);
    }

    private static String chunk(String delta, String finishReason) {
        ObjectNode body = envelope("chat.completion.chunk");
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        try {
            choice.set("delta", FixtureServer.JSON.readTree(delta));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return body.toString();
    }

    private static ObjectNode envelope(String object) {
        ObjectNode body = FixtureServer.JSON.createObjectNode();
        body.put("id", "chatcmpl-fixture").put("object", object).put("created", 1_700_000_000).put("model", "fixture-model");
        return body;
    }
}
