package dev.baton.runtime.handoff;

import dev.baton.item.Item;
import dev.baton.runtime.MessageType;
import java.util.List;

/**
 * An agent's answer to the person, published on the user topic of the session.
 *
 * @param agent the agent that answered
 * @param replyToTopicType the topic type the person's next message goes to: the answering agent's,
 *     which now holds the conversation
 * @param text the answer
 * @param conversation the conversation as the answering agent saw it, answer included
 * @param runId the run that produced the answer, to look it up with {@code baton runs} or the web UI
 */
@MessageType("baton.AgentResponse")
public record AgentResponse(String agent, String replyToTopicType, String text, List<Item> conversation, String runId) {

    public AgentResponse {
        conversation = List.copyOf(conversation);
    }
}
