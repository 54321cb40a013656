package dev.baton.item;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A text message from the user, the assistant, or the system.
 *
 * @param role who wrote it
 * @param text its text, never null (an empty assistant message is {@code ""})
 * @param id the provider's id for the item, where it gave one; kept so it can be sent back
 * @param summary set when the application (a handoff's history nesting) wrote this message as a
 *     summary of earlier conversation; null for every message a model or user wrote
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Message(Role role, String text, @Nullable String id, @Nullable HistorySummary summary) implements Item {

    /** Who wrote a message. */
    public enum Role { USER, ASSISTANT, SYSTEM, DEVELOPER }

    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(text, "text");
    }

    public Message(Role role, String text, @Nullable String id) {
        this(role, text, id, null);
    }

    public Message(Role role, String text) {
        this(role, text, null, null);
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
}
