package dev.baton.runtime;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a handler knows about the message it handles besides the message itself.
 *
 * @param messageId the message's id; one id for all the deliveries of one publish
 * @param sender the agent that sent or published it, {@code null} when it came from outside the
 *     runtime's agents
 * @param topic the topic it was published on, {@code null} for a direct {@link AgentRuntime#send send}
 * @param cancellation cancelled when the sender gives up on the reply or the runtime stops
 */
public record MessageContext(
        String messageId, @Nullable AgentId sender, @Nullable TopicId topic, CancellationToken cancellation) {

    public MessageContext {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(cancellation, "cancellation");
    }

    /** Whether the message was published on a topic (no reply expected) rather than sent. */
    public boolean published() {
        return topic != null;
    }
}
