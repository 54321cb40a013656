package dev.baton.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import dev.baton.ModelBehaviorError;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import dev.baton.model.Usage;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Maps Chat Completions answers to Baton items. Works on the JSON tree of the SDK's objects (which
 * keep every field exactly as the server sent it), so the shapes some OpenAI-compatible servers
 * send still map: a missing call id, arguments as an object, missing usage, null content.
 */
final class ChatCompletionsResponses {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private ChatCompletionsResponses() {}

    /** The JSON tree of an SDK object, exactly as received. */
    static JsonNode tree(Object sdkObject) {
        return ObjectMappers.jsonMapper().valueToTree(sdkObject);
    }

    /** The items and usage of a whole (non-streamed) completion. */
    static ModelResponse fromCompletion(JsonNode completion) {
        JsonNode choices = completion.path("choices");
        if (!choices.isArray() || choices.isEmpty()) {
            throw new ModelBehaviorError("Chat completion has no choices", completion.toString(), null);
        }
        JsonNode message = choices.get(0).path("message");
        String content = text(message.get("content"));
        String refusal = text(message.get("refusal"));
        List<ToolCall> calls = new ArrayList<>();
        JsonNode toolCalls = message.path("tool_calls");
        if (toolCalls.isArray()) {
            for (JsonNode call : toolCalls) {
                JsonNode function = call.path("function");
                calls.add(new ToolCall(
                        callId(text(call.get("id"))),
                        nameOf(function, completion),
                        arguments(function.get("arguments"))));
            }
        }
        return new ModelResponse(items(content, refusal, calls), usage(completion.get("usage")), text(completion.get("id")));
    }

    /**
     * Output items in a fixed order: the assistant message (if any text or refusal, or if nothing
     * else), then the calls. A non-empty {@code refusal} is the message's refusal, never its text.
     */
    static List<Item> items(@Nullable String content, @Nullable String refusal, List<ToolCall> calls) {
        List<Item> items = new ArrayList<>(calls.size() + 1);
        String text = content == null ? "" : content;
        // Some compatible servers send "refusal": "" on every message; only a refusal with words is one.
        if (refusal != null && !refusal.isEmpty()) {
            items.add(new Message(Message.Role.ASSISTANT, text, null, refusal));
        } else if (!text.isEmpty()) {
            items.add(Message.assistant(text));
        } else if (calls.isEmpty()) {
            items.add(Message.assistant(""));
        }
        items.addAll(calls);
        return items;
    }

    static Usage usage(@Nullable JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return new Usage(1, 0, 0, 0, 0, 0);
        }
        long input = count(usage.get("prompt_tokens"));
        long output = count(usage.get("completion_tokens"));
        long total = usage.hasNonNull("total_tokens") ? count(usage.get("total_tokens")) : input + output;
        long cached = count(usage.path("prompt_tokens_details").get("cached_tokens"));
        long reasoning = count(usage.path("completion_tokens_details").get("reasoning_tokens"));
        return new Usage(1, input, output, total, cached, reasoning);
    }

    /** Arguments as JSON text: a string as sent, an object or array serialised, nothing as {@code {}}. */
    static String arguments(@Nullable JsonNode arguments) {
        if (arguments == null || arguments.isNull() || arguments.isMissingNode()) {
            return "{}";
        }
        String text = arguments.isTextual() ? arguments.asText() : arguments.toString();
        return text.isBlank() ? "{}" : text;
    }

    /** The server's call id, or a generated {@code call_<random>} where it sent none. */
    static String callId(@Nullable String id) {
        if (id != null && !id.isBlank()) {
            return id;
        }
        char[] random = new char[24];
        for (int i = 0; i < random.length; i++) {
            random[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return "call_" + new String(random);
    }

    private static String nameOf(JsonNode function, JsonNode context) {
        String name = text(function.get("name"));
        if (name == null || name.isEmpty()) {
            throw new ModelBehaviorError("Chat completion has a tool call without a function name", context.toString(), null);
        }
        return name;
    }

    static @Nullable String text(@Nullable JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return node.isTextual() ? node.asText() : node.toString();
    }

    private static long count(@Nullable JsonNode node) {
        return node != null && node.canConvertToLong() ? Math.max(0, node.asLong()) : 0;
    }

    /**
     * Assembles streamed chunks into the response a non-streamed call returns, reporting text,
     * refusal and argument deltas as they arrive.
     */
    static final class StreamAssembly {
        private final Consumer<ModelStreamEvent> events;
        private final StringBuilder content = new StringBuilder();
        private final StringBuilder refusal = new StringBuilder();
        private final Map<Integer, PartialCall> calls = new TreeMap<>();
        private @Nullable String id;
        private @Nullable JsonNode usage;
        private boolean finished;

        StreamAssembly(Consumer<ModelStreamEvent> events) {
            this.events = events;
        }

        void accept(JsonNode chunk) {
            if (id == null) {
                id = text(chunk.get("id"));
            }
            if (chunk.hasNonNull("usage")) {
                usage = chunk.get("usage");
            }
            JsonNode choices = chunk.path("choices");
            if (!choices.isArray() || choices.isEmpty()) {
                return;
            }
            JsonNode choice = choices.get(0);
            JsonNode delta = choice.path("delta");
            String text = text(delta.get("content"));
            if (text != null && !text.isEmpty()) {
                content.append(text);
                events.accept(new ModelStreamEvent.TextDelta(text));
            }
            String refused = text(delta.get("refusal"));
            if (refused != null && !refused.isEmpty()) {
                refusal.append(refused);
                events.accept(new ModelStreamEvent.RefusalDelta(refused));
            }
            JsonNode toolCalls = delta.path("tool_calls");
            if (toolCalls.isArray()) {
                for (JsonNode call : toolCalls) {
                    acceptCall(call);
                }
            }
            if (choice.hasNonNull("finish_reason")) {
                finished = true;
            }
        }

        private void acceptCall(JsonNode callDelta) {
            int index = callDelta.path("index").canConvertToInt() ? callDelta.path("index").asInt() : calls.size();
            PartialCall call = calls.computeIfAbsent(index, i -> new PartialCall());
            String callId = text(callDelta.get("id"));
            if (call.id == null && callId != null && !callId.isBlank()) {
                call.id = callId;
            }
            JsonNode function = callDelta.path("function");
            String name = text(function.get("name"));
            if (call.name == null && name != null && !name.isEmpty()) {
                call.name = name;
            }
            JsonNode args = function.get("arguments");
            String argsDelta = args == null || args.isNull() ? "" : args.isTextual() ? args.asText() : args.toString();
            call.arguments.append(argsDelta);
            int position = new ArrayList<>(calls.keySet()).indexOf(index) + (hasText() ? 1 : 0);
            events.accept(new ModelStreamEvent.ToolCallDelta(position,
                    call.id == null ? "" : call.id, call.name == null ? "" : call.name, argsDelta));
        }

        private boolean hasText() {
            return !content.isEmpty() || !refusal.isEmpty();
        }

        /** The whole response; fails if the stream ended before a choice finished. */
        ModelResponse finish() {
            if (!finished) {
                throw new OpenAICallFailed("Chat completion stream ended before the response was complete", null, true);
            }
            List<ToolCall> out = new ArrayList<>(calls.size());
            for (PartialCall call : calls.values()) {
                if (call.name == null) {
                    throw new ModelBehaviorError("Streamed tool call without a function name", call.arguments.toString(), null);
                }
                String args = call.arguments.toString();
                out.add(new ToolCall(callId(call.id), call.name, args.isBlank() ? "{}" : args));
            }
            return new ModelResponse(items(content.toString(), refusal.toString(), out), ChatCompletionsResponses.usage(usage), id);
        }
    }

    private static final class PartialCall {
        @Nullable String id;
        @Nullable String name;
        final StringBuilder arguments = new StringBuilder();
    }
}
