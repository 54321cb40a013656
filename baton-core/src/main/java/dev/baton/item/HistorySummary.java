package dev.baton.item;

import java.util.List;

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

    public HistorySummary {
        lines = List.copyOf(lines);
    }

    /** An assistant message with this text, marked as this summary. */
    public Message message(String text) {
        return new Message(Message.Role.ASSISTANT, text, null, this);
    }
}
