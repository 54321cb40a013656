package dev.baton.runtime;

import java.util.Optional;

/**
 * Topics of exactly {@code topicType} go to agents of {@code agentType}, keyed by the topic's
 * source: publishing on {@code (triage, s1)} reaches the agent {@code (triage_agent, s1)}.
 */
public record TypeSubscription(String topicType, String agentType) implements Subscription {

    public TypeSubscription {
        Names.checkType("topic type", topicType);
        Names.checkType("agent type", agentType);
    }

    @Override
    public Optional<AgentId> recipient(TopicId topic) {
        return topic.type().equals(topicType) ? Optional.of(new AgentId(agentType, topic.source())) : Optional.empty();
    }
}
