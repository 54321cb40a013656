package dev.baton.runtime;

import java.util.Objects;

/**
 * The address of one agent instance: its {@code type} (which factory makes it) and its {@code key}
 * (which instance of that type, typically a session id). Instances are created on their first
 * message, one per distinct key.
 *
 * @param type the agent type, as registered with {@link AgentRuntime#register}; letters, digits,
 *     {@code _ - . :} only
 * @param key the instance key; any text, empty allowed
 */
public record AgentId(String type, String key) {

    public AgentId {
        Names.checkType("agent type", type);
        Objects.requireNonNull(key, "key");
    }

    /** {@code type/key}, the form the logs and dead letters show. */
    @Override
    public String toString() {
        return type + "/" + key;
    }
}
