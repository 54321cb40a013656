package dev.baton.handoff;

import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import java.util.List;

/** Ready-made {@link HandoffInputFilter}s. */
public final class HandoffFilters {
    private HandoffFilters() {}

    /**
     * Removes every tool and handoff call and every tool output, so the target agent reads only
     * the messages: useful when the previous agent's tools mean nothing to the next one.
     */
    public static HandoffInputFilter removeAllTools() {
        return data -> new HandoffInputData(
                data.inputHistory().stream().filter(i -> !(i instanceof ToolCall) && !(i instanceof ToolOutput)).toList(),
                withoutTools(data.preHandoffItems()),
                withoutTools(data.newItems()));
    }

    /** Collapses the prior transcript into one summary message (see {@link HistoryNesting}). */
    public static HandoffInputFilter nestHistory() {
        return nestHistory(HistoryNesting.defaults());
    }

    /** Collapses the prior transcript with a custom nesting configuration. */
    public static HandoffInputFilter nestHistory(HistoryNesting nesting) {
        return data -> new HandoffInputData(nesting.nest(data.toInput()), List.of(), List.of());
    }

    private static List<RunItem> withoutTools(List<RunItem> items) {
        return items.stream()
                .filter(i -> i instanceof RunItem.MessageItem || i instanceof RunItem.ReasoningItem)
                .toList();
    }
}
