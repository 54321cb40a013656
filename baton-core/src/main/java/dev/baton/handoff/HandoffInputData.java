package dev.baton.handoff;

import dev.baton.item.Item;
import dev.baton.item.RunItem;
import java.util.ArrayList;
import java.util.List;

/**
 * The conversation at the moment of a handoff, in three parts, for a {@link HandoffInputFilter} to
 * rewrite before the target agent reads it.
 *
 * @param inputHistory what the run started from: session history and the new input
 * @param preHandoffItems items the run produced before the turn that handed off
 * @param newItems items of the turn that handed off, the handoff call and its output included
 */
public record HandoffInputData(List<Item> inputHistory, List<RunItem> preHandoffItems, List<RunItem> newItems) {

    public HandoffInputData {
        inputHistory = List.copyOf(inputHistory);
        preHandoffItems = List.copyOf(preHandoffItems);
        newItems = List.copyOf(newItems);
    }

    public HandoffInputData withInputHistory(List<Item> value) {
        return new HandoffInputData(value, preHandoffItems, newItems);
    }

    public HandoffInputData withPreHandoffItems(List<RunItem> value) {
        return new HandoffInputData(inputHistory, value, newItems);
    }

    public HandoffInputData withNewItems(List<RunItem> value) {
        return new HandoffInputData(inputHistory, preHandoffItems, value);
    }

    /** The whole conversation, in order, as model input. */
    public List<Item> toInput() {
        List<Item> all = new ArrayList<>(inputHistory.size() + preHandoffItems.size() + newItems.size());
        all.addAll(inputHistory);
        preHandoffItems.forEach(i -> all.add(i.toItem()));
        newItems.forEach(i -> all.add(i.toItem()));
        return all;
    }
}
