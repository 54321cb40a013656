package dev.baton.testing;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.run.ApprovalRequest;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** One-line descriptions of items for failure messages. */
final class Describe {
    private static final int MAX = 100;

    private Describe() {}

    static String item(@Nullable Item item) {
        return switch (item) {
            case null -> "none (empty input)";
            case Message m when m.refused() -> m.role().name().toLowerCase(Locale.ROOT) + " refusal " + text(m.refusal())
                    + (m.text().isEmpty() ? "" : " after " + text(m.text()));
            case Message m -> m.role().name().toLowerCase(Locale.ROOT) + " message " + text(m.text());
            case ToolCall c -> "call " + c.name() + "(" + shorten(c.arguments()) + ") [" + c.callId() + "]";
            case ToolOutput o -> "output of " + o.callId() + ": " + text(o.describe());
            case Reasoning r -> "reasoning " + text(r.summary());
        };
    }

    /** Tool calls waiting for approval, as {@code [tool(args) [call id] by agent, ...]}. */
    static String approvals(List<ApprovalRequest> requests) {
        return requests.stream()
                .map(r -> r.toolName() + "(" + shorten(r.arguments()) + ") [" + r.callId() + "] by " + r.agent())
                .toList().toString();
    }

    /** A text quoted on one line, shortened to keep transcripts compact. */
    static String text(String text) {
        return "\"" + shorten(text) + "\"";
    }

    static String shorten(String text) {
        String line = text.replace("\r", "").replace("\n", "\\n");
        return line.length() <= MAX ? line : line.substring(0, MAX - 3) + "...";
    }
}
