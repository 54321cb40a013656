package dev.baton.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Turns messages into {@link Envelope}s and back, and envelopes into JSON text and back, with
 * Jackson. Messages are read back by their stable type name, so the reading side must have
 * {@link MessageTypes#register registered} the type. Unknown JSON properties of a payload are
 * ignored, so a sender with a newer version of a message can still be read.
 */
public final class MessageCodec {

    private final MessageTypes types;
    private final ObjectMapper mapper;

    /** A codec for {@code types} with a plain Jackson mapper (records, strings, numbers, lists, maps). */
    public MessageCodec(MessageTypes types) {
        this(types, JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build());
    }

    /** A codec for {@code types} with the caller's mapper, e.g. one with Java time support. */
    public MessageCodec(MessageTypes types, ObjectMapper mapper) {
        this.types = Objects.requireNonNull(types, "types");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /** The registry this codec reads type names with. */
    public MessageTypes types() {
        return types;
    }

    /**
     * The envelope of {@code message}.
     *
     * @throws IllegalArgumentException if Jackson cannot serialise the message
     */
    public Envelope encode(
            Object message, String id, @Nullable AgentId sender, @Nullable TopicId topic, @Nullable AgentId recipient) {
        Objects.requireNonNull(message, "message");
        JsonNode payload;
        try {
            payload = mapper.valueToTree(message);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot serialise message of " + message.getClass().getName() + ": " + e.getMessage(), e);
        }
        return new Envelope(id, MessageTypes.nameOf(message.getClass()), payload, sender, topic, recipient);
    }

    /**
     * The message in {@code envelope}, as an instance of the class registered under its type name.
     *
     * @throws IllegalArgumentException if the type name is not registered or the payload does not fit the class
     */
    public Object decode(Envelope envelope) {
        Class<?> type = types.classOf(envelope.type()).orElseThrow(() -> new IllegalArgumentException(
                "unknown message type '" + envelope.type() + "' in message " + envelope.id() + "; register its class with MessageTypes"));
        try {
            return mapper.treeToValue(envelope.payload(), type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalArgumentException("message " + envelope.id() + " of type '" + envelope.type()
                    + "' does not fit " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    /** {@code envelope} as JSON text. */
    public String toJson(Envelope envelope) {
        try {
            return mapper.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write envelope " + envelope.id() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The envelope written as {@code json} by {@link #toJson}.
     *
     * @throws IllegalArgumentException if the text is not an envelope
     */
    public Envelope fromJson(String json) {
        try {
            Envelope envelope = mapper.readValue(json, Envelope.class);
            if (envelope == null) {
                throw new IllegalArgumentException("not an envelope: null");
            }
            return envelope;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an envelope: " + e.getOriginalMessage(), e);
        }
    }
}
