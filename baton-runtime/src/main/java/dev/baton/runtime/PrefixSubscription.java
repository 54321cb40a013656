package dev.baton.runtime;

import java.util.Optional;

/**
 * Topics whose type starts with {@code prefix} go to agents of {@code agentType}, keyed by the
 * topic's source: one agent type can follow a family of topics ({@code support.billing},
 * {@code support.refunds}, ...), for example to audit them.
 */
public record PrefixSubscription(String prefix, String agentType) implements Subscription {

    public PrefixSubscription {
        Names.checkType("topic type prefix", prefix);
        Names.checkType("agent type", agentType);
    }

    @Override
    public Optional<AgentId> recipient(TopicId topic) {
        return topic.type().startsWith(prefix) ? Optional.of(new AgentId(agentType, topic.source())) : Optional.empty();
    }
}
