package dev.baton.runtime.handoff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.human.HumanReply;
import dev.baton.runtime.MessageType;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The operator's reply to a {@link HumanQuestion}: the person's {@link HumanReply} as a message, or
 * none when nobody answered in time.
 */
@MessageType("baton.HumanAnswer")
public record HumanAnswer(boolean answered, @Nullable String text, @Nullable String handoff, @Nullable JsonNode handoffInput) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public HumanAnswer {
        // JSON's null reads back as a null node: no handoff input either way.
        if (handoffInput != null && (handoffInput.isNull() || handoffInput.isMissingNode())) {
            handoffInput = null;
        }
    }

    static HumanAnswer of(Optional<HumanReply> reply) {
        return reply.map(r -> new HumanAnswer(true, r.text(), r.handoff(),
                r.handoffInput() == null ? null : JSON.valueToTree(r.handoffInput()))).orElse(new HumanAnswer(false, null, null, null));
    }

    Optional<HumanReply> toReply() {
        if (!answered) {
            return Optional.empty();
        }
        // Read back from JSON (a transport across processes), a missing input is a NullNode, not null.
        JsonNode input = handoffInput == null || handoffInput.isNull() ? null : handoffInput;
        return Optional.of(new HumanReply(text == null ? "" : text, handoff, input));
    }
}
