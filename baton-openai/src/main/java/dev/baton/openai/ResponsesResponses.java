package dev.baton.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.ModelBehaviorError;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import dev.baton.model.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Maps Responses API answers to Baton items, on the JSON tree of the SDK's objects (every field as
 * the server sent it). Output items keep their order: {@code message} becomes an assistant
 * {@link Message} (its {@code refusal} parts its {@linkplain Message#refusal() refusal}),
 * {@code function_call} a {@link ToolCall}, {@code reasoning} a {@link Reasoning}; other item types
 * (built-in tools Baton does not offer) are left out.
 */
final class ResponsesResponses {
    /** Separates the parts of a reasoning summary. */
    static final String SUMMARY_SEPARATOR = "\n\n";

    private ResponsesResponses() {}

    /** The items, usage and id of a whole response. */
    static ModelResponse fromResponse(JsonNode response) {
        List<Item> items = new ArrayList<>();
        boolean answered = false;
        for (JsonNode item : response.path("output")) {
            Item mapped = item(item, response);
            if (mapped != null) {
                items.add(mapped);
                answered |= !(mapped instanceof Reasoning);
            }
        }
        if (!answered) {
            // Nothing but reasoning (or nothing at all): the answer is an empty message, as in Chat Completions.
            items.add(Message.assistant(""));
        }
        return new ModelResponse(items, usage(response.get("usage")), ChatCompletionsResponses.text(response.get("id")));
    }

    /** Whether an output item maps to a Baton item. */
    static boolean isMapped(JsonNode item) {
        String type = item.path("type").asText();
        return type.equals("message") || type.equals("function_call") || type.equals("reasoning");
    }

    private static @Nullable Item item(JsonNode item, JsonNode context) {
        String id = nonBlank(ChatCompletionsResponses.text(item.get("id")));
        return switch (item.path("type").asText()) {
            case "message" -> message(item, id);
            case "function_call" -> {
                String name = ChatCompletionsResponses.text(item.get("name"));
                if (name == null || name.isEmpty()) {
                    throw new ModelBehaviorError("Response has a function call without a name", context.toString(), null);
                }
                yield new ToolCall(ChatCompletionsResponses.callId(ChatCompletionsResponses.text(item.get("call_id"))), name,
                        ChatCompletionsResponses.arguments(item.get("arguments")), id);
            }
            case "reasoning" -> new Reasoning(id, summaryText(item), nonBlank(ChatCompletionsResponses.text(item.get("encrypted_content"))));
            default -> null;
        };
    }

    /** An assistant message: its {@code output_text} parts are its text, its {@code refusal} parts its refusal. */
    private static Message message(JsonNode message, @Nullable String id) {
        StringBuilder text = new StringBuilder();
        StringBuilder refusal = null;
        for (JsonNode part : message.path("content")) {
            switch (part.path("type").asText()) {
                case "output_text" -> text.append(part.path("text").asText(""));
                case "refusal" -> {
                    // The part itself says the model declined, even with an empty explanation.
                    if (refusal == null) {
                        refusal = new StringBuilder();
                    }
                    refusal.append(part.path("refusal").asText(""));
                }
                default -> {
                    // Audio and other parts have no Baton form.
                }
            }
        }
        return new Message(Message.Role.ASSISTANT, text.toString(), id, refusal == null ? null : refusal.toString());
    }

    private static String summaryText(JsonNode reasoning) {
        List<String> parts = new ArrayList<>();
        for (JsonNode part : reasoning.path("summary")) {
            parts.add(part.path("text").asText(""));
        }
        return String.join(SUMMARY_SEPARATOR, parts);
    }

    static Usage usage(@Nullable JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return new Usage(1, 0, 0, 0, 0, 0);
        }
        long input = count(usage.get("input_tokens"));
        long output = count(usage.get("output_tokens"));
        long total = usage.hasNonNull("total_tokens") ? count(usage.get("total_tokens")) : input + output;
        long cached = count(usage.path("input_tokens_details").get("cached_tokens"));
        long reasoning = count(usage.path("output_tokens_details").get("reasoning_tokens"));
        return new Usage(1, input, output, total, cached, reasoning);
    }

    private static long count(@Nullable JsonNode node) {
        return node != null && node.canConvertToLong() ? Math.max(0, node.asLong()) : 0;
    }

    private static @Nullable String nonBlank(@Nullable String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /**
     * Follows a stream of Responses events: reports text, refusal, function-call argument and
     * reasoning summary deltas as they arrive, and returns the response of the final {@code response.completed}
     * (or {@code response.incomplete}) event, so a streamed answer has exactly the items of the same
     * answer not streamed.
     */
    static final class StreamAssembly {
        private final Consumer<ModelStreamEvent> events;
        private final String apiKey;
        /** Output indexes of the items that map to Baton items, to turn an output index into an item position. */
        private final TreeSet<Integer> mappedIndexes = new TreeSet<>();
        private final Map<String, JsonNode> calls = new HashMap<>();
        private final Set<String> callsWithDeltas = new HashSet<>();
        private final Map<String, Integer> summaryIndexes = new HashMap<>();
        private @Nullable ModelResponse response;

        StreamAssembly(Consumer<ModelStreamEvent> events, @Nullable String apiKey) {
            this.events = events;
            this.apiKey = apiKey == null ? "" : apiKey;
        }

        void accept(JsonNode event) {
            switch (event.path("type").asText()) {
                case "response.output_item.added" -> {
                    JsonNode item = event.path("item");
                    if (isMapped(item)) {
                        mappedIndexes.add(event.path("output_index").asInt(mappedIndexes.size()));
                    }
                    if ("function_call".equals(item.path("type").asText())) {
                        calls.put(itemKey(event, item), item);
                    }
                }
                case "response.output_text.delta" -> {
                    String delta = event.path("delta").asText("");
                    if (!delta.isEmpty()) {
                        events.accept(new ModelStreamEvent.TextDelta(delta));
                    }
                }
                case "response.refusal.delta" -> {
                    String delta = event.path("delta").asText("");
                    if (!delta.isEmpty()) {
                        events.accept(new ModelStreamEvent.RefusalDelta(delta));
                    }
                }
                case "response.function_call_arguments.delta" -> {
                    String key = itemKey(event, null);
                    callsWithDeltas.add(key);
                    callDelta(event, calls.get(key), event.path("delta").asText(""));
                }
                case "response.output_item.done" -> {
                    JsonNode item = event.path("item");
                    String key = itemKey(event, item);
                    if ("function_call".equals(item.path("type").asText()) && !callsWithDeltas.contains(key)) {
                        // A server that sent the arguments whole, without deltas.
                        if (!mappedIndexes.contains(event.path("output_index").asInt(-1))) {
                            mappedIndexes.add(event.path("output_index").asInt(mappedIndexes.size()));
                        }
                        callDelta(event, item, ChatCompletionsResponses.arguments(item.get("arguments")));
                    }
                }
                case "response.reasoning_summary_text.delta" -> {
                    String key = itemKey(event, null);
                    int part = event.path("summary_index").asInt(0);
                    Integer previous = summaryIndexes.put(key, part);
                    if (previous != null && previous != part) {
                        events.accept(new ModelStreamEvent.ReasoningDelta(SUMMARY_SEPARATOR));
                    }
                    String delta = event.path("delta").asText("");
                    if (!delta.isEmpty()) {
                        events.accept(new ModelStreamEvent.ReasoningDelta(delta));
                    }
                }
                case "response.completed", "response.incomplete" -> response = fromResponse(event.path("response"));
                case "response.failed" -> {
                    JsonNode error = event.path("response").path("error");
                    throw failed("Responses stream failed", error);
                }
                case "error" -> throw failed("Responses stream failed", event);
                default -> {
                    // Lifecycle and built-in tool events carry nothing Baton reports.
                }
            }
        }

        private void callDelta(JsonNode event, @Nullable JsonNode call, String delta) {
            int outputIndex = event.path("output_index").asInt(-1);
            int position = outputIndex < 0 ? mappedIndexes.size() : mappedIndexes.headSet(outputIndex).size();
            String callId = call == null ? "" : call.path("call_id").asText("");
            String name = call == null ? "" : call.path("name").asText("");
            events.accept(new ModelStreamEvent.ToolCallDelta(position, callId, name, delta));
        }

        private static String itemKey(JsonNode event, @Nullable JsonNode item) {
            String id = item != null ? item.path("id").asText("") : event.path("item_id").asText("");
            return id.isEmpty() ? "#" + event.path("output_index").asInt(-1) : id;
        }

        private OpenAICallFailed failed(String what, JsonNode error) {
            String message = ChatCompletionsResponses.text(error.get("message"));
            String code = ChatCompletionsResponses.text(error.get("code"));
            String text = what + (message == null ? "" : ": " + message) + (code == null ? "" : " (code " + code + ")");
            // The failures the API documents as passing: its own errors and rate limits.
            boolean passing = "server_error".equals(code) || "rate_limit_exceeded".equals(code);
            return new OpenAICallFailed(OpenAIErrors.scrub(text, apiKey), null, passing);
        }

        /** The whole response; fails if the stream ended before the response was complete. */
        ModelResponse finish() {
            if (response == null) {
                throw new OpenAICallFailed("Responses stream ended before the response was complete", null, true);
            }
            return response;
        }
    }
}
