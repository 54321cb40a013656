package dev.baton.item;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A text message from the user, the assistant, or the system.
 *
 * <p>An assistant message can carry a {@linkplain #refusal() refusal}: the model declined to
 * answer (OpenAI's {@code refusal} content part or field). It is kept apart from the text, so a
 * refusal is never mistaken for an answer; a run whose final answer is a refusal fails with
 * {@link dev.baton.ModelRefusalError}.
 *
 * @param role who wrote it
 * @param text its text, never null (an empty assistant message is {@code ""}; a message that only
 *     refuses has the text {@code ""})
 * @param id the provider's id for the item, where it gave one; kept so it can be sent back
 * @param refusal the model's explanation of why it declined, where it declined; only on assistant
 *     messages
 * @param summary set when the application (a handoff's history nesting) wrote this message as a
 *     summary of earlier conversation; null for every message a model or user wrote
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Message(Role role, String text, @Nullable String id, @Nullable String refusal, @Nullable HistorySummary summary)
        implements Item {

    /** Who wrote a message. */
    public enum Role { USER, ASSISTANT, SYSTEM, DEVELOPER }

    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(text, "text");
        if (refusal != null && role != Role.ASSISTANT) {
            throw new IllegalArgumentException("Only an assistant message can carry a refusal; this one is a " + role
                    + " message refusing \"" + refusal + "\"");
        }
    }

    public Message(Role role, String text, @Nullable String id, @Nullable String refusal) {
        this(role, text, id, refusal, null);
    }

    public Message(Role role, String text, @Nullable String id) {
        this(role, text, id, null, null);
    }

    public Message(Role role, String text) {
        this(role, text, null, null, null);
    }

    public static Message user(String text) {
        return new Message(Role.USER, text);
    }

    public static Message assistant(String text) {
        return new Message(Role.ASSISTANT, text);
    }

    public static Message system(String text) {
        return new Message(Role.SYSTEM, text);
    }

    /** An assistant message in which the model declines to answer, saying why in {@code refusal}. */
    public static Message assistantRefusal(String refusal) {
        return new Message(Role.ASSISTANT, "", null, Objects.requireNonNull(refusal, "refusal"), null);
    }

    /** Whether the model declined to answer in this message. */
    public boolean refused() {
        return refusal != null;
    }
}
