package dev.baton.runtime;

import java.util.Objects;

/**
 * Where a message is published: the topic {@code type} says what kind of message flows there (and
 * so which agent types subscribe), the {@code source} says whose it is; subscriptions turn the
 * source into the key of the receiving agent, so each source (a session) gets its own instances.
 *
 * @param type the topic type; letters, digits, {@code _ - . :} only
 * @param source the topic source, typically a session id; any text, empty allowed
 */
public record TopicId(String type, String source) {

    public TopicId {
        Names.checkType("topic type", type);
        Objects.requireNonNull(source, "source");
    }

    /** {@code type/source}. */
    @Override
    public String toString() {
        return type + "/" + source;
    }
}
