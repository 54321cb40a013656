package dev.baton.testing;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.ModelRequest;
import dev.baton.model.Usage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The usage a {@link ScriptedModel} (and {@link ConformanceScript}) reports: small, deterministic
 * token counts that grow with the conversation, so usage assertions mean something without a
 * real tokenizer.
 *
 * <p>The rule: a text costs {@code ceil(length / 4)} tokens (the usual four characters per token);
 * an item costs one token plus the tokens of its text (a message's text, a call's name and
 * arguments, an output's text, a reasoning summary). Input tokens are the instructions' tokens
 * plus those of every input item; output tokens are those of every output item. Each response is
 * one request: {@code Usage.of(input, output)}.
 */
public final class ScriptedUsage {
    private ScriptedUsage() {}

    /** The usage of answering {@code request} with {@code output}. */
    public static Usage of(ModelRequest request, List<Item> output) {
        long input = tokens(request.instructions());
        for (Item item : request.input()) {
            input += tokens(item);
        }
        long out = 0;
        for (Item item : output) {
            out += tokens(item);
        }
        return Usage.of(input, out);
    }

    /** Tokens of one item: one, plus those of its text. */
    public static long tokens(Item item) {
        return 1 + switch (item) {
            case Message m -> tokens(m.text()) + tokens(m.refusal());
            case ToolCall c -> tokens(c.name()) + tokens(c.arguments());
            case ToolOutput o -> tokens(o.output());
            case Reasoning r -> tokens(r.summary());
        };
    }

    /** Tokens of a text: a quarter of its length, rounded up; none for null. */
    public static long tokens(@Nullable String text) {
        return text == null ? 0 : (text.length() + 3) / 4;
    }
}
