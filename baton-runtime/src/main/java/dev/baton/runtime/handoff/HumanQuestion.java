package dev.baton.runtime.handoff;

import dev.baton.human.HumanRequest;
import dev.baton.item.Item;
import dev.baton.runtime.MessageType;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A human agent's turn, sent to the operator of its session: what a person needs to answer (the
 * {@link HumanRequest} as a message).
 *
 * @param deadlineMillis when the human agent stops waiting, in milliseconds since the epoch
 */
@MessageType("baton.HumanQuestion")
public record HumanQuestion(String agent, @Nullable String instructions, List<Item> conversation,
        List<HumanRequest.HandoffOption> handoffs, long deadlineMillis, @Nullable String runId, @Nullable String sessionId) {

    public HumanQuestion {
        conversation = List.copyOf(conversation);
        handoffs = List.copyOf(handoffs);
    }

    static HumanQuestion of(HumanRequest request) {
        return new HumanQuestion(request.agent(), request.instructions(), request.conversation(), request.handoffs(),
                request.deadline().toEpochMilli(), request.runId(), request.sessionId());
    }

    HumanRequest toRequest() {
        return new HumanRequest(agent, instructions, conversation, handoffs, Instant.ofEpochMilli(deadlineMillis), runId, sessionId);
    }
}
