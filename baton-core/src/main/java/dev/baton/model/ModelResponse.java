package dev.baton.model;

import dev.baton.item.Item;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A model's answer: output items in the order the model produced them.
 *
 * @param output messages, function calls and reasoning items
 * @param usage what the call cost
 * @param responseId the provider's response id, where it gave one
 */
public record ModelResponse(List<Item> output, Usage usage, @Nullable String responseId) {
    public ModelResponse {
        output = List.copyOf(output);
        usage = usage == null ? Usage.zero() : usage;
    }

    public ModelResponse(List<Item> output, Usage usage) {
        this(output, usage, null);
    }
}
