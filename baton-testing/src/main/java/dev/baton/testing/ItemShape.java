package dev.baton.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What an item says, without the ids a provider assigns anew on every call: for comparing two
 * answers to the same request (streamed and not).
 *
 * @param type the item's kind ({@code message}, {@code function_call}, ...), or a run item's kind
 * @param agent the agent of a run item; {@code ""} for a conversation item
 * @param name a message's role, a call's function name, a handoff output's target
 * @param arguments a call's arguments, parsed where they are JSON
 * @param text a message's text, an output's text, a reasoning summary
 * @param refusal a message's refusal, where the model declined
 */
record ItemShape(String type, String agent, String name, @Nullable JsonNode arguments, String text, @Nullable String refusal) {

    static List<ItemShape> of(List<Item> items) {
        return items.stream().map(ItemShape::of).toList();
    }

    static List<ItemShape> ofRun(List<RunItem> items) {
        return items.stream().map(ItemShape::of).toList();
    }

    static ItemShape of(Item item) {
        return switch (item) {
            case Message m -> new ItemShape("message", "", m.role().name(), null, m.text(), m.refusal());
            case ToolCall c -> new ItemShape("function_call", "", c.name(),
                    Json.parse(c.arguments()).orElse(TextNode.valueOf(c.arguments())), "", null);
            case ToolOutput o -> new ItemShape("function_call_output", "", "", null, o.output(), null);
            case Reasoning r -> new ItemShape("reasoning", "", "", null, r.summary(), null);
        };
    }

    static ItemShape of(RunItem item) {
        ItemShape inner = of(item.toItem());
        String name = item instanceof RunItem.HandoffOutputItem h ? h.target() : inner.name();
        return new ItemShape(Transcript.kind(item), item.agent(), name, inner.arguments(), inner.text(), inner.refusal());
    }
}
