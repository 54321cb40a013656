package dev.baton.runtime.handoff;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.runtime.MessageType;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Work for the agent whose topic this is published on, in the session named by the topic's source:
 * the person's next message, or a conversation handed over by another agent.
 *
 * <p>The conversation itself lives in the session store, which the hosting agent reads; the
 * {@code conversation} here is the copy the publisher saw (the transfer call and its output
 * included), for subscribers that do not read the store, such as a person answering for a human
 * agent or an auditor subscribed by prefix.
 *
 * @param text the person's new message, or {@code null} for a handoff (the target answers the
 *     conversation as it stands)
 * @param conversation the conversation as the publisher saw it
 * @param from the agent that handed the conversation over, or {@code null} when the person wrote
 */
@MessageType("baton.UserTask")
public record UserTask(@Nullable String text, List<Item> conversation, @Nullable String from) {

    public UserTask {
        conversation = List.copyOf(conversation);
    }

    /** A message the person wrote, with no conversation copy. */
    public static UserTask say(String text) {
        return new UserTask(text, List.of(), null);
    }

    /** Whether this task is a handoff from another agent rather than the person's message. */
    public boolean isHandoff() {
        return from != null;
    }

    /** What the hosted agent's run takes as its new input: the person's message, or nothing for a handoff. */
    List<Item> input() {
        return text == null ? List.of() : List.of(Message.user(text));
    }
}
