package dev.baton.item;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Marks a {@link Message} as a summary of earlier conversation that the application wrote (Baton
 * writes one at a handoff that nests history, see {@code dev.baton.handoff.HistoryNesting}), and
 * keeps the summarised lines as data. Messages that come from a model never carry one, whatever
 * their text says, so a model cannot make its own words pass for a summary: text that merely looks
 * like one is summarised again as an ordinary message. It is saved with the message in sessions
 * and in {@code RunState} JSON.
 *
 * @param lines one line per summarised item, in order, without numbers
 */
public record HistorySummary(List<String> lines) {

    private static final Pattern LINE_BREAK = Pattern.compile("\\R");

    /** @throws IllegalArgumentException if a line holds a line break (each line is one numbered line of the summary) */
    public HistorySummary {
        lines = List.copyOf(lines);
        for (String line : lines) {
            if (LINE_BREAK.matcher(line).find()) {
                throw new IllegalArgumentException("A history summary line must not contain a line break: '" + line + "'");
            }
        }
    }

    /** An assistant message with this text, marked as this summary. */
    public Message message(String text) {
        return new Message(Message.Role.ASSISTANT, text, null, null, this);
    }
}
