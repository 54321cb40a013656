package dev.baton.testing;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Plays a whole response back as stream events, the way a provider would deliver it in pieces. */
final class StreamChunks {
    private static final int ARGUMENT_CHUNK = 16;

    private StreamChunks() {}

    /**
     * Emits, per output item in order: a message's text as word-sized {@code TextDelta}s (and its
     * refusal as word-sized {@code RefusalDelta}s), a call's
     * arguments as {@code ToolCallDelta}s of up to 16 characters (at least one, so even {@code ""}
     * arguments announce the call; {@code index} is the item's position in the output), and a
     * reasoning summary as one {@code ReasoningDelta}.
     */
    static void emit(ModelResponse response, Consumer<ModelStreamEvent> events) {
        List<Item> output = response.output();
        for (int i = 0; i < output.size(); i++) {
            switch (output.get(i)) {
                case Message m -> {
                    words(m.text()).forEach(w -> events.accept(new ModelStreamEvent.TextDelta(w)));
                    if (m.refused()) {
                        words(m.refusal()).forEach(w -> events.accept(new ModelStreamEvent.RefusalDelta(w)));
                    }
                }
                case ToolCall c -> {
                    for (String part : pieces(c.arguments())) {
                        events.accept(new ModelStreamEvent.ToolCallDelta(i, c.callId(), c.name(), part));
                    }
                }
                case Reasoning r -> {
                    if (!r.summary().isEmpty()) {
                        events.accept(new ModelStreamEvent.ReasoningDelta(r.summary()));
                    }
                }
                default -> { }
            }
        }
    }

    /** The text cut after each run of whitespace: "Refund initiated." gives "Refund " and "initiated.". */
    static List<String> words(String text) {
        List<String> chunks = new ArrayList<>();
        int start = 0;
        for (int i = 1; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i - 1)) && !Character.isWhitespace(text.charAt(i))) {
                chunks.add(text.substring(start, i));
                start = i;
            }
        }
        if (start < text.length()) {
            chunks.add(text.substring(start));
        }
        return chunks;
    }

    private static List<String> pieces(String arguments) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        do {
            int end = Math.min(arguments.length(), i + ARGUMENT_CHUNK);
            // Never split a surrogate pair: a consumer decoding pieces one by one would see half a character.
            if (end < arguments.length() && Character.isHighSurrogate(arguments.charAt(end - 1))) {
                end++;
            }
            parts.add(arguments.substring(i, end));
            i = end;
        } while (i < arguments.length());
        return parts;
    }
}
