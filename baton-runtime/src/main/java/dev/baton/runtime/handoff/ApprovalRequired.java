package dev.baton.runtime.handoff;

import dev.baton.run.ApprovalRequest;
import dev.baton.runtime.MessageType;
import java.util.List;

/**
 * A hosted agent's turn stopped at tool calls that need a person's approval. Published on the
 * approvals topic of the session; an approver answers each call with an {@link ApprovalDecision}
 * published on {@code replyToTopicType}, and the turn goes on once every call is decided.
 *
 * @param agent the agent whose turn waits
 * @param replyToTopicType where the decisions go: the waiting agent's topic type
 * @param runId the paused run
 * @param pending the calls waiting, with their arguments
 */
@MessageType("baton.ApprovalRequired")
public record ApprovalRequired(String agent, String replyToTopicType, String runId, List<ApprovalRequest> pending) {

    public ApprovalRequired {
        pending = List.copyOf(pending);
    }
}
