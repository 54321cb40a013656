package dev.baton.human;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a person answers for a human agent: a message to the customer, a handoff to one of the
 * agents the human agent offers (back to triage, say), or both. The message becomes the human
 * agent's assistant message; the handoff takes place as if a model had called its transfer
 * function.
 *
 * @param text the message, possibly empty when the reply only hands off
 * @param handoff the name of the agent to hand the conversation to, or null to keep it
 * @param handoffInput the handoff's input, for a handoff with an input type (serialised like a
 *     model's arguments, with snake_case names), or null
 */
public record HumanReply(String text, @Nullable String handoff, @Nullable Object handoffInput) {

    /**
     * @throws IllegalArgumentException if the reply neither says something nor hands off, names a
     *     blank agent, or has a handoff input without a handoff
     */
    public HumanReply {
        Objects.requireNonNull(text, "text");
        if (handoff != null && handoff.isBlank()) {
            throw new IllegalArgumentException("A reply's handoff must name an agent, not be blank");
        }
        if (handoff == null && text.isBlank()) {
            throw new IllegalArgumentException("A reply needs a message, a handoff, or both; this one has neither");
        }
        if (handoff == null && handoffInput != null) {
            throw new IllegalArgumentException("A reply has a handoff input but no handoff");
        }
    }

    /** A message to the customer; the human agent keeps the conversation. */
    public static HumanReply say(String text) {
        return new HumanReply(text, null, null);
    }

    /** Hands the conversation to {@code agent} without a message. */
    public static HumanReply handOff(String agent) {
        return new HumanReply("", agent, null);
    }

    /** Says {@code text}, then hands the conversation to {@code agent}. */
    public static HumanReply handOff(String agent, String text) {
        return new HumanReply(text, agent, null);
    }

    /** This reply with the input its handoff takes (a record of the handoff's input type). */
    public HumanReply withHandoffInput(Object input) {
        return new HumanReply(text, handoff, Objects.requireNonNull(input, "input"));
    }
}
