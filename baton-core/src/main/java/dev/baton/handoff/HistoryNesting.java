package dev.baton.handoff;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a handoff collapses the conversation so far into one assistant message, so the next agent
 * reads a compact transcript instead of the previous agent's every tool call:
 *
 * <pre>
 * For context, here is the conversation so far:
 * &lt;CONVERSATION HISTORY&gt;
 * 1. user: I was charged twice
 * 2. called transfer_to_billing({})
 * &lt;/CONVERSATION HISTORY&gt;
 * </pre>
 *
 * A transcript that already holds such a summary is flattened into the new one (its lines are
 * taken over), so a second handoff does not nest a summary inside a summary. The mapper that
 * turns the transcript into model input can be replaced whole.
 *
 * @param preamble the line before the block
 * @param start the line that opens the block
 * @param end the line that closes it
 * @param mapper turns the full transcript into the target's input; {@code null} for the built-in summary
 */
public record HistoryNesting(String preamble, String start, String end, @org.jspecify.annotations.Nullable Mapper mapper) {

    /** Turns a transcript into the input the target agent reads. */
    @FunctionalInterface
    public interface Mapper {
        List<Item> map(List<Item> transcript, HistoryNesting nesting);
    }

    public static final String DEFAULT_PREAMBLE = "For context, here is the conversation so far:";
    public static final String DEFAULT_START = "<CONVERSATION HISTORY>";
    public static final String DEFAULT_END = "</CONVERSATION HISTORY>";

    public HistoryNesting {
        Objects.requireNonNull(preamble, "preamble");
        if (start == null || start.isBlank() || end == null || end.isBlank()) {
            throw new IllegalArgumentException("the history wrapper's start and end lines must not be blank");
        }
    }

    public static HistoryNesting defaults() {
        return new HistoryNesting(DEFAULT_PREAMBLE, DEFAULT_START, DEFAULT_END, null);
    }

    public HistoryNesting withWrapper(String newPreamble, String newStart, String newEnd) {
        return new HistoryNesting(newPreamble, newStart, newEnd, mapper);
    }

    public HistoryNesting withMapper(Mapper newMapper) {
        return new HistoryNesting(preamble, start, end, newMapper);
    }

    /** The target's input for this transcript. */
    public List<Item> nest(List<Item> transcript) {
        return mapper != null ? mapper.map(transcript, this) : List.of(summarize(transcript));
    }

    /** The built-in summary: one assistant message listing the transcript, earlier summaries flattened. */
    public Message summarize(List<Item> transcript) {
        List<String> lines = new ArrayList<>();
        for (Item item : transcript) {
            List<String> earlier = summaryLines(item);
            if (earlier != null) {
                lines.addAll(earlier);
            } else {
                String line = describe(item);
                if (line != null) {
                    lines.add(line);
                }
            }
        }
        StringBuilder text = new StringBuilder();
        if (!preamble.isBlank()) {
            text.append(preamble).append('\n');
        }
        text.append(start).append('\n');
        for (int i = 0; i < lines.size(); i++) {
            text.append(i + 1).append(". ").append(lines.get(i)).append('\n');
        }
        text.append(end);
        return Message.assistant(text.toString());
    }

    /** The lines of an earlier summary held by this item, or null if it is not one. */
    @org.jspecify.annotations.Nullable List<String> summaryLines(Item item) {
        if (!(item instanceof Message m) || m.role() != Message.Role.ASSISTANT) {
            return null;
        }
        String text = m.text();
        int s = text.indexOf(start);
        int e = text.lastIndexOf(end);
        if (s < 0 || e < s) {
            return null;
        }
        List<String> lines = new ArrayList<>();
        for (String line : text.substring(s + start.length(), e).split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.replaceFirst("^\\d+\\. ", ""));
            }
        }
        return lines;
    }

    private static @org.jspecify.annotations.Nullable String describe(Item item) {
        return switch (item) {
            case Message m -> m.role().name().toLowerCase(java.util.Locale.ROOT) + ": " + oneLine(m.text());
            case ToolCall c -> "called " + c.name() + "(" + oneLine(c.arguments()) + ")";
            case ToolOutput o -> "result: " + oneLine(o.output());
            case Reasoning r -> null;
        };
    }

    private static String oneLine(String text) {
        return text.replace("\r", "").replace("\n", " ");
    }
}
