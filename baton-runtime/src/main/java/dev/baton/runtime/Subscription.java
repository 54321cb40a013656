package dev.baton.runtime;

import java.util.Optional;

/**
 * Which agents receive what is published on a topic: a subscription maps a matching
 * {@link TopicId} to the {@link AgentId} that receives it, with the topic's source as the agent's
 * key, so every session gets its own agent instance.
 */
public sealed interface Subscription permits TypeSubscription, PrefixSubscription {

    /** The agent that receives messages published on {@code topic}, or empty if this subscription does not match it. */
    Optional<AgentId> recipient(TopicId topic);

    /** The agent type that receives the matched topics. */
    String agentType();

    /** Topics of exactly {@code topicType} go to agents of {@code agentType}. */
    static Subscription byType(String topicType, String agentType) {
        return new TypeSubscription(topicType, agentType);
    }

    /** Topics whose type starts with {@code prefix} go to agents of {@code agentType}. */
    static Subscription byPrefix(String prefix, String agentType) {
        return new PrefixSubscription(prefix, agentType);
    }
}
