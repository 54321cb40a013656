package dev.baton.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Responses API wire shapes for fixtures: whole responses, their output items, and the SSE event
 * sequence OpenAI sends for a response (created, each item added, its deltas, each item done,
 * completed).
 */
final class ResponsesWire {
    private ResponsesWire() {}

    static ObjectNode response(String id, List<ObjectNode> output, ObjectNode usage) {
        ObjectNode response = FixtureServer.JSON.createObjectNode();
        response.put("id", id).put("object", "response").put("created_at", 1_700_000_000).put("status", "completed")
                .put("model", "gpt-4.1-mini").putNull("error").putNull("incomplete_details").putNull("instructions");
        response.putArray("output").addAll(output);
        response.put("parallel_tool_calls", true).putNull("temperature").putNull("top_p").put("tool_choice", "auto");
        response.putArray("tools");
        if (usage != null) {
            response.set("usage", usage);
        }
        return response;
    }

    static ObjectNode usage(int input, int output, int cached, int reasoning) {
        ObjectNode usage = FixtureServer.JSON.createObjectNode();
        usage.put("input_tokens", input);
        usage.putObject("input_tokens_details").put("cached_tokens", cached);
        usage.put("output_tokens", output);
        usage.putObject("output_tokens_details").put("reasoning_tokens", reasoning);
        usage.put("total_tokens", input + output);
        return usage;
    }

    static ObjectNode message(String id, String text) {
        ObjectNode message = FixtureServer.JSON.createObjectNode();
        message.put("type", "message").put("id", id).put("status", "completed").put("role", "assistant");
        message.putArray("content").addObject().put("type", "output_text").put("text", text).putArray("annotations");
        return message;
    }

    /** An assistant message whose only content part is a refusal. */
    static ObjectNode refusal(String id, String refusal) {
        ObjectNode message = FixtureServer.JSON.createObjectNode();
        message.put("type", "message").put("id", id).put("status", "completed").put("role", "assistant");
        message.putArray("content").addObject().put("type", "refusal").put("refusal", refusal);
        return message;
    }

    static ObjectNode functionCall(String id, String callId, String name, String arguments) {
        ObjectNode call = FixtureServer.JSON.createObjectNode();
        call.put("type", "function_call").put("id", id).put("call_id", callId).put("name", name)
                .put("arguments", arguments).put("status", "completed");
        return call;
    }

    static ObjectNode reasoning(String id, String encryptedContent, String... summaries) {
        ObjectNode reasoning = FixtureServer.JSON.createObjectNode();
        reasoning.put("type", "reasoning").put("id", id);
        ArrayNode summary = reasoning.putArray("summary");
        for (String text : summaries) {
            summary.addObject().put("type", "summary_text").put("text", text);
        }
        if (encryptedContent != null) {
            reasoning.put("encrypted_content", encryptedContent);
        }
        return reasoning;
    }

    /** The events OpenAI streams for {@code response}; texts and arguments arrive in {@code pieces} deltas each. */
    static List<String> events(JsonNode response, int pieces) {
        List<String> events = new ArrayList<>();
        int[] sequence = {0};
        ObjectNode inProgress = response.deepCopy();
        inProgress.put("status", "in_progress").putArray("output");
        inProgress.remove("usage");
        events.add(event(sequence, "response.created").set("response", inProgress).toString());
        int index = 0;
        for (JsonNode item : response.path("output")) {
            ObjectNode added = item.deepCopy();
            added.put("status", "in_progress");
            String id = item.path("id").asText();
            switch (item.path("type").asText()) {
                case "message" -> {
                    added.putArray("content");
                    events.add(itemEvent(sequence, "response.output_item.added", index, added));
                    int part = 0;
                    for (JsonNode content : item.path("content")) {
                        if (content.path("type").asText().equals("refusal")) {
                            for (String piece : split(content.path("refusal").asText(), pieces)) {
                                ObjectNode delta = event(sequence, "response.refusal.delta");
                                delta.put("item_id", id).put("output_index", index).put("content_index", part).put("delta", piece);
                                events.add(delta.toString());
                            }
                            part++;
                            continue;
                        }
                        for (String piece : split(content.path("text").asText(), pieces)) {
                            ObjectNode delta = event(sequence, "response.output_text.delta");
                            delta.put("item_id", id).put("output_index", index).put("content_index", part).put("delta", piece)
                                    .putArray("logprobs");
                            events.add(delta.toString());
                        }
                        part++;
                    }
                }
                case "function_call" -> {
                    added.put("arguments", "");
                    events.add(itemEvent(sequence, "response.output_item.added", index, added));
                    for (String piece : split(item.path("arguments").asText(), pieces)) {
                        ObjectNode delta = event(sequence, "response.function_call_arguments.delta");
                        delta.put("item_id", id).put("output_index", index).put("delta", piece);
                        events.add(delta.toString());
                    }
                    ObjectNode done = event(sequence, "response.function_call_arguments.done");
                    done.put("item_id", id).put("output_index", index).put("arguments", item.path("arguments").asText());
                    events.add(done.toString());
                }
                case "reasoning" -> {
                    added.putArray("summary");
                    events.add(itemEvent(sequence, "response.output_item.added", index, added));
                    int part = 0;
                    for (JsonNode summary : item.path("summary")) {
                        for (String piece : split(summary.path("text").asText(), pieces)) {
                            ObjectNode delta = event(sequence, "response.reasoning_summary_text.delta");
                            delta.put("item_id", id).put("output_index", index).put("summary_index", part).put("delta", piece);
                            events.add(delta.toString());
                        }
                        part++;
                    }
                }
                default -> events.add(itemEvent(sequence, "response.output_item.added", index, added));
            }
            events.add(itemEvent(sequence, "response.output_item.done", index, item.deepCopy()));
            index++;
        }
        events.add(event(sequence, "response.completed").set("response", response.deepCopy()).toString());
        return events;
    }

    private static ObjectNode event(int[] sequence, String type) {
        ObjectNode event = FixtureServer.JSON.createObjectNode();
        event.put("type", type).put("sequence_number", sequence[0]++);
        return event;
    }

    private static String itemEvent(int[] sequence, String type, int index, JsonNode item) {
        ObjectNode event = event(sequence, type);
        event.put("output_index", index).set("item", item);
        return event.toString();
    }

    static List<String> split(String text, int pieces) {
        List<String> parts = new ArrayList<>();
        int size = Math.max(1, (text.length() + pieces - 1) / pieces);
        for (int i = 0; i < text.length(); i += size) {
            parts.add(text.substring(i, Math.min(text.length(), i + size)));
        }
        return parts;
    }
}
