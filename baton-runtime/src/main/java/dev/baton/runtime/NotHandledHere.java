package dev.baton.runtime;

import java.util.Objects;

/**
 * What a handler returns for a message that another runtime's instance of the same agent is there
 * to handle: this runtime then sends no reply and records no failure. On Kafka, each consumer group
 * gets every message of its topics, so a console hosting the operator of its own session declines
 * the questions of other sessions and lets their console answer. In one process there is no other
 * instance: a declined {@link AgentRuntime#send send} fails with {@link DeliveryFailure#DECLINED}.
 *
 * @param why said in that failure, and in logs
 */
public record NotHandledHere(String why) {
    public NotHandledHere {
        Objects.requireNonNull(why, "why");
    }
}
