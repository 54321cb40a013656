package dev.baton.kafka;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Maps the runtime's topic types (any non-empty text, e.g. {@code "triage"} or {@code "Billing Agent"})
 * to Kafka topic names under a prefix, one to one: the name can be turned back into the type.
 *
 * <p>Kafka allows only letters, digits, {@code .}, {@code _} and {@code -} in a topic name, at most
 * 249 of them, and refuses two topics whose names differ only by {@code .} against {@code _} (their
 * metric names would collide). So a type keeps its letters, digits and {@code -}; every other
 * character becomes {@code _} followed by the two hex digits of each of its UTF-8 bytes
 * ({@code "Billing Agent"} → {@code "Billing_20Agent"}, {@code "a.b"} → {@code "a_2Eb"}). Mapped types
 * never contain a {@code .} nor two {@code _} in a row, which leaves {@link #deadLetterTopic()} to
 * the transport.
 */
public final class TopicNames {

    /** The longest topic name Kafka accepts. */
    public static final int MAX_TOPIC_LENGTH = 249;

    private static final String DEAD_LETTERS = "__dead-letters";
    private static final String AGENTS = "__agent.";
    private static final String REPLIES = "__replies.";
    private static final Pattern RUNTIME_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]*");
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final String prefix;

    private TopicNames(String prefix) {
        this.prefix = prefix;
    }

    /**
     * The mapping under {@code prefix} (may be empty), which must be a legal start of a Kafka topic
     * name and leave room for the types.
     */
    public static TopicNames withPrefix(String prefix) {
        checkPrefix(prefix);
        return new TopicNames(prefix);
    }

    static void checkPrefix(String prefix) {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("topic prefix '" + prefix
                    + "': Kafka topic names allow only letters, digits, '.', '_' and '-'");
        }
        if (prefix.length() + DEAD_LETTERS.length() > MAX_TOPIC_LENGTH) {
            throw new IllegalArgumentException("topic prefix '" + prefix + "': " + prefix.length()
                    + " characters leave no room for topic types; at most "
                    + (MAX_TOPIC_LENGTH - DEAD_LETTERS.length()) + " are allowed");
        }
    }

    /** The prefix every topic of this mapping starts with. */
    public String prefix() {
        return prefix;
    }

    /**
     * The Kafka topic of {@code topicType}.
     *
     * @throws IllegalArgumentException if the type is empty or its topic name would be longer than
     *     Kafka allows
     */
    public String topicFor(String topicType) {
        if (topicType == null || topicType.isEmpty()) {
            throw new IllegalArgumentException("topic type '" + topicType + "': must not be empty");
        }
        StringBuilder name = new StringBuilder(prefix);
        for (byte b : topicType.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if (kept(c)) {
                name.append(c);
            } else {
                name.append('_').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
            }
        }
        if (name.length() > MAX_TOPIC_LENGTH) {
            throw new IllegalArgumentException("topic type '" + topicType + "': its Kafka topic name has "
                    + name.length() + " characters; Kafka allows at most " + MAX_TOPIC_LENGTH);
        }
        return name.toString();
    }

    /**
     * The topic type whose topic is {@code kafkaTopic}, or empty if that topic is not one of this
     * mapping's (another prefix, the dead-letter topic, or a name {@link #topicFor} never makes).
     */
    public Optional<String> topicTypeOf(String kafkaTopic) {
        if (!kafkaTopic.startsWith(prefix) || kafkaTopic.length() == prefix.length()) {
            return Optional.empty();
        }
        String mapped = kafkaTopic.substring(prefix.length());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < mapped.length(); i++) {
            char c = mapped.charAt(i);
            if (kept(c)) {
                bytes.write(c);
            } else if (c == '_' && i + 2 < mapped.length() && hex(mapped.charAt(i + 1)) >= 0
                    && hex(mapped.charAt(i + 2)) >= 0) {
                bytes.write(hex(mapped.charAt(i + 1)) * 16 + hex(mapped.charAt(i + 2)));
                i += 2;
            } else {
                return Optional.empty();
            }
        }
        String type;
        try {
            type = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        return topicFor(type).equals(kafkaTopic) ? Optional.of(type) : Optional.empty();
    }

    /**
     * The topic of the messages sent ({@link dev.baton.runtime.AgentRuntime#send send}) to agents of
     * {@code agentType}, keyed by the agent's key; no topic type maps to it.
     *
     * @throws IllegalArgumentException if the type is empty or the name would be too long
     */
    public String agentTopic(String agentType) {
        String mapped = topicFor(agentType).substring(prefix.length());
        String name = prefix + AGENTS + mapped;
        if (name.length() > MAX_TOPIC_LENGTH) {
            throw new IllegalArgumentException("agent type '" + agentType + "': its Kafka topic name has "
                    + name.length() + " characters; Kafka allows at most " + MAX_TOPIC_LENGTH);
        }
        return name;
    }

    /** The agent type whose {@link #agentTopic} is {@code kafkaTopic}, or empty if it is none. */
    public Optional<String> agentTypeOf(String kafkaTopic) {
        String start = prefix + AGENTS;
        if (!kafkaTopic.startsWith(start)) {
            return Optional.empty();
        }
        return topicTypeOf(prefix + kafkaTopic.substring(start.length()));
    }

    /**
     * The topic where the runtime {@code runtimeId} (letters, digits and {@code -}) receives the
     * replies to its sends; no topic type maps to it.
     */
    public String replyTopic(String runtimeId) {
        if (runtimeId == null || !RUNTIME_ID.matcher(runtimeId).matches()) {
            throw new IllegalArgumentException("runtime id '" + runtimeId + "': expected 1 to 64 letters, digits or '-'");
        }
        String name = prefix + REPLIES + runtimeId;
        if (name.length() > MAX_TOPIC_LENGTH) {
            throw new IllegalArgumentException("runtime id '" + runtimeId + "': the reply topic would have "
                    + name.length() + " characters; Kafka allows at most " + MAX_TOPIC_LENGTH);
        }
        return name;
    }

    /** The topic for messages that kept failing, with their error; no topic type maps to it. */
    public String deadLetterTopic() {
        return prefix + DEAD_LETTERS;
    }

    @Override
    public String toString() {
        return "TopicNames[prefix=" + prefix + "]";
    }

    private static boolean kept(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
