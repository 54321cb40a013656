package dev.baton.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How Baton's Kafka transport reaches a cluster, checked when made so that a typo fails at start
 * with a message naming the setting, not later inside kafka-clients.
 *
 * <p>The client configurations it gives are the transport's choices: records are keyed by a string
 * (the session, so one session stays on one partition, in order) with a byte payload; producers are
 * idempotent and wait for all in-sync replicas; consumers commit offsets by hand, after a message's
 * effects are durable, and start from the earliest offset when their group has none.
 *
 * @param bootstrapServers the brokers to contact first, each {@code host:port}
 * @param clientId the client id the brokers see (logs, quotas, metrics); letters, digits, {@code . _ -}
 * @param groupId the consumer group that the workers of one application share
 * @param topicPrefix put before every Kafka topic the transport uses; see {@link TopicNames}
 * @param timeout how long a client call waits for the cluster (metadata, a blocked send, an admin
 *     call) before it fails
 */
public record KafkaSettings(
        List<String> bootstrapServers, String clientId, String groupId, String topicPrefix, Duration timeout) {

    /** The topic prefix {@link #of} uses. */
    public static final String DEFAULT_TOPIC_PREFIX = "baton.";

    /** The timeout {@link #of} uses. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+):([0-9]{1,5})");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]+");

    /** Checks every setting; the message of the {@link IllegalArgumentException} names the one at fault. */
    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isEmpty()) {
            throw new IllegalArgumentException(
                    "bootstrap servers: none given; expected host:port, e.g. 127.0.0.1:9092");
        }
        List<String> servers = new ArrayList<>();
        for (String server : bootstrapServers) {
            servers.add(checkServer(server));
        }
        bootstrapServers = List.copyOf(servers);
        if (clientId == null || !CLIENT_ID.matcher(clientId).matches()) {
            throw new IllegalArgumentException("client id '" + clientId
                    + "': expected letters, digits, '.', '_' or '-', at least one");
        }
        if (groupId == null || groupId.isBlank()) {
            throw new IllegalArgumentException("group id '" + groupId + "': must not be blank");
        }
        TopicNames.checkPrefix(topicPrefix);
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("timeout " + timeout + ": must be positive and at most "
                    + Duration.ofMillis(Integer.MAX_VALUE));
        }
    }

    /**
     * Settings for the comma-separated {@code bootstrapServers} (as kafka-clients writes them), with
     * the {@link #DEFAULT_TOPIC_PREFIX} and the {@link #DEFAULT_TIMEOUT}.
     */
    public static KafkaSettings of(String bootstrapServers, String clientId, String groupId) {
        List<String> servers = new ArrayList<>();
        if (bootstrapServers != null && !bootstrapServers.isBlank()) {
            for (String server : bootstrapServers.split(",", -1)) {
                servers.add(server.strip());
            }
        }
        return new KafkaSettings(servers, clientId, groupId, DEFAULT_TOPIC_PREFIX, DEFAULT_TIMEOUT);
    }

    /** These settings with another topic prefix. */
    public KafkaSettings withTopicPrefix(String prefix) {
        return new KafkaSettings(bootstrapServers, clientId, groupId, prefix, timeout);
    }

    /** These settings with another client timeout. */
    public KafkaSettings withTimeout(Duration newTimeout) {
        return new KafkaSettings(bootstrapServers, clientId, groupId, topicPrefix, newTimeout);
    }

    /** These settings with another consumer group. */
    public KafkaSettings withGroupId(String group) {
        return new KafkaSettings(bootstrapServers, clientId, group, topicPrefix, timeout);
    }

    /** The bootstrap servers as kafka-clients' {@code bootstrap.servers} takes them. */
    public String bootstrapServersConfig() {
        return String.join(",", bootstrapServers);
    }

    /** The mapping of topic types to Kafka topics under this {@link #topicPrefix}. */
    public TopicNames topicNames() {
        return TopicNames.withPrefix(topicPrefix);
    }

    /** A new, modifiable configuration for a {@code KafkaProducer<String, byte[]>}. */
    public Map<String, Object> producerConfig() {
        Map<String, Object> config = common();
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
        return config;
    }

    /**
     * A new, modifiable configuration for a {@code KafkaConsumer<String, byte[]>} in {@link #groupId},
     * on the consumer group protocol (KIP-848), committing offsets only when told to.
     */
    public Map<String, Object> consumerConfig() {
        Map<String, Object> config = common();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return config;
    }

    /** A new, modifiable configuration for an {@code Admin} client. */
    public Map<String, Object> adminConfig() {
        Map<String, Object> config = common();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        return config;
    }

    private Map<String, Object> common() {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServersConfig());
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return config;
    }

    private static String checkServer(String server) {
        Matcher m = server == null ? null : HOST_PORT.matcher(server.strip());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("bootstrap server '" + server
                    + "': expected host:port, e.g. 127.0.0.1:9092 or [::1]:9092");
        }
        int port = Integer.parseInt(m.group(2));
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("bootstrap server '" + server + "': port " + port
                    + " is outside 1-65535");
        }
        return server.strip();
    }
}
