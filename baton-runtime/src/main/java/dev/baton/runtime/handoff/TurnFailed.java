package dev.baton.runtime.handoff;

import dev.baton.runtime.MessageType;

/**
 * A hosted agent's turn failed (the model's output was invalid, a guardrail tripped, the model
 * provider or a store failed): published on the user topic so the person hears of it rather than
 * waiting in silence. The runtime also records the failure as the handler's.
 *
 * @param agent the agent whose turn failed
 * @param replyToTopicType where the person's next message goes: the failed agent's topic type
 * @param error what went wrong
 */
@MessageType("baton.TurnFailed")
public record TurnFailed(String agent, String replyToTopicType, String error) {}
