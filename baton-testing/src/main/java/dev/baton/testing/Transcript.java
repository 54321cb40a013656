package dev.baton.testing;

import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.run.RunResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's items as a compact text, one line per item (agent, kind, name or text), the way
 * {@link RunResultAssert} prints them when an assertion fails:
 *
 * <pre>
 *   1. support_triage      handoff_call    transfer_to_billing_specialist({}) [call_1]
 *   2. support_triage      handoff_output  -&gt; billing_specialist
 *   3. billing_specialist  tool_call       get_invoice({"invoice_id":"INV-8821"}) [call_2]
 *   4. billing_specialist  tool_output     get_invoice: "{"id":"INV-8821","amount":99}"
 *   5. billing_specialist  message         "Refund initiated for INV-8821."
 * </pre>
 *
 * Also handy on its own: print the items of a failed run ({@code BatonException.items()}).
 */
public final class Transcript {
    private Transcript() {}

    /** A summary line (run id, last agent, turns, final output) followed by the items. */
    public static String of(RunResult result) {
        return "run " + result.runId() + ": last agent " + result.lastAgent() + ", " + result.turns()
                + (result.turns() == 1 ? " turn" : " turns") + ", final output " + Describe.text(result.finalOutputText())
                + "\n" + of(result.newItems());
    }

    /** One line per item, numbered from 1; {@code "  (no items)"} for none. */
    public static String of(List<RunItem> items) {
        if (items.isEmpty()) {
            return "  (no items)";
        }
        int width = items.stream().mapToInt(i -> i.agent().length()).max().orElse(0);
        Map<String, String> toolByCall = new HashMap<>();
        StringBuilder text = new StringBuilder();
        for (int n = 0; n < items.size(); n++) {
            RunItem item = items.get(n);
            if (item instanceof RunItem.ToolCallItem c) {
                toolByCall.put(c.call().callId(), c.call().name());
            } else if (item instanceof RunItem.HandoffCallItem h) {
                toolByCall.put(h.call().callId(), h.call().name());
            }
            if (n > 0) {
                text.append('\n');
            }
            text.append(String.format("%3d. %-" + width + "s  %-15s %s", n + 1, item.agent(), kind(item), detail(item, toolByCall)));
        }
        return text.toString();
    }

    static String kind(RunItem item) {
        return switch (item) {
            case RunItem.MessageItem m -> "message";
            case RunItem.ToolCallItem c -> "tool_call";
            case RunItem.ToolOutputItem o -> o.error() ? "tool_error" : "tool_output";
            case RunItem.HandoffCallItem h -> "handoff_call";
            case RunItem.HandoffOutputItem h -> "handoff_output";
            case RunItem.ReasoningItem r -> "reasoning";
        };
    }

    private static String detail(RunItem item, Map<String, String> toolByCall) {
        return switch (item) {
            case RunItem.MessageItem m when m.refusal() != null -> "refusal " + Describe.text(m.refusal())
                    + (m.text().isEmpty() ? "" : " after " + Describe.text(m.text()));
            case RunItem.MessageItem m -> Describe.text(m.text());
            case RunItem.ToolCallItem c -> call(c.call());
            case RunItem.HandoffCallItem h -> call(h.call());
            case RunItem.ToolOutputItem o -> toolByCall.getOrDefault(o.output().callId(), o.output().callId())
                    + ": " + Describe.text(o.output().output());
            case RunItem.HandoffOutputItem h -> "-> " + h.target();
            case RunItem.ReasoningItem r -> Describe.text(r.reasoning().summary());
        };
    }

    private static String call(ToolCall call) {
        return call.name() + "(" + Describe.shorten(call.arguments()) + ") [" + call.callId() + "]";
    }
}
