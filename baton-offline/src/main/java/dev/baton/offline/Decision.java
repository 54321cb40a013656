package dev.baton.offline;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import java.util.List;

/**
 * What the offline model decided for one request, and the rule that decided it.
 *
 * @param rule which rule fired and why, in one line (for example {@code handoff to
 *     billing_specialist: matched 'charged', 'refund'})
 * @param output the items of the answer: one function call, or one assistant message
 */
record Decision(String rule, List<Item> output) {

    static Decision call(String rule, ToolCall call) {
        return new Decision(rule, List.of(call));
    }

    static Decision say(String rule, String text) {
        return new Decision(rule, List.of(Message.assistant(text)));
    }
}
