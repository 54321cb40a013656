package dev.baton.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message in its serialised form: what a dead letter keeps and what travels between processes.
 * {@link MessageCodec} makes one from a message and reads the message back, and writes and reads
 * the envelope as JSON.
 *
 * @param id the message id ({@link MessageContext#messageId()})
 * @param type the message type's stable name ({@link MessageType})
 * @param payload the message as JSON
 * @param sender the sending agent, {@code null} from outside the runtime's agents
 * @param topic the topic it was published on, {@code null} for a send
 * @param recipient the agent it is for: the recipient of a send, or the subscriber a published
 *     message was being delivered to; {@code null} for a published message not yet routed
 */
public record Envelope(
        String id,
        String type,
        JsonNode payload,
        @Nullable AgentId sender,
        @Nullable TopicId topic,
        @Nullable AgentId recipient) {

    public Envelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        if (topic == null && recipient == null) {
            throw new IllegalArgumentException("an envelope needs a topic or a recipient");
        }
    }
}
