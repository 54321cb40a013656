package dev.baton.handoff;

import dev.baton.item.HistorySummary;
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
 * The summary is recognised by structure, never by its text: the message carries a
 * {@link HistorySummary} with its lines as data. A transcript that already holds such a summary is
 * flattened into the new one (its lines are taken over), so a second handoff does not nest a
 * summary inside a summary. Any other message, even one whose text contains the markers or
 * numbered {@code user:} lines, is one ordinary line, so model output cannot forge user turns. An
 * empty transcript is said to be empty ({@link #EMPTY_TRANSCRIPT}). The mapper that turns the
 * transcript into model input can be replaced whole.
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
    /** The one line inside the block when there is nothing to summarise. */
    public static final String EMPTY_TRANSCRIPT = "(nothing was said before this handoff)";

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

    /**
     * The built-in summary: one assistant message, marked with a {@link HistorySummary}, listing
     * the transcript; the lines of earlier summaries are taken over.
     */
    public Message summarize(List<Item> transcript) {
        List<String> lines = new ArrayList<>();
        for (Item item : transcript) {
            if (item instanceof Message m && m.summary() != null) {
                lines.addAll(m.summary().lines());
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
        if (lines.isEmpty()) {
            text.append(EMPTY_TRANSCRIPT).append('\n');
        }
        for (int i = 0; i < lines.size(); i++) {
            text.append(i + 1).append(". ").append(lines.get(i)).append('\n');
        }
        text.append(end);
        return new HistorySummary(lines).message(text.toString());
    }

    private static @org.jspecify.annotations.Nullable String describe(Item item) {
        return switch (item) {
            case Message m -> m.role().name().toLowerCase(java.util.Locale.ROOT) + ": " + oneLine(m.text())
                    + (m.refused() ? (m.text().isEmpty() ? "" : " ") + "(declined: " + oneLine(m.refusal()) + ")" : "");
            case ToolCall c -> "called " + c.name() + "(" + oneLine(c.arguments()) + ")";
            case ToolOutput o -> "result: " + oneLine(o.describe());
            case Reasoning r -> null;
        };
    }

    private static String oneLine(String text) {
        // Every kind of line break, so no text can start a line of its own in the summary.
        return text.replaceAll("\\R", " ");
    }
}
