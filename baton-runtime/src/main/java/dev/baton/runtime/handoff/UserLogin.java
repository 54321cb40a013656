package dev.baton.runtime.handoff;

import dev.baton.runtime.MessageType;
import org.jspecify.annotations.Nullable;

/**
 * A person opened a conversation: published on the user topic with the session id as the topic's
 * source, it makes the {@link UserAgent} of that session ask the person for their first message.
 *
 * @param user who logged in, if known (shown to the agents' hosts, not to the model)
 */
@MessageType("baton.UserLogin")
public record UserLogin(@Nullable String user) {

    /** An anonymous login. */
    public static UserLogin anonymous() {
        return new UserLogin(null);
    }
}
