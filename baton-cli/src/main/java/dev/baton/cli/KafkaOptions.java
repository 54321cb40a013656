package dev.baton.cli;

import dev.baton.kafka.KafkaRuntime;
import dev.baton.kafka.KafkaSettings;
import dev.baton.kafka.KafkaUnavailableException;
import dev.baton.runtime.MessageCodec;
import dev.baton.runtime.MessageTypes;
import dev.baton.runtime.handoff.HandoffDesk;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Where the runtime's Kafka is: {@code --kafka}, else {@code BATON_KAFKA}, else a broker on this machine. */
final class KafkaOptions {
    static final String ENV = "BATON_KAFKA";
    static final String DEFAULT = "127.0.0.1:9092";
    /** How long a worker's question waits for the operator's answer at most (a human agent waits five minutes unless set). */
    static final java.time.Duration OPERATOR_WAIT = java.time.Duration.ofMinutes(30);

    private KafkaOptions() {}

    static String bootstrap(@Nullable String option, Map<String, String> env) {
        if (option != null && !option.isBlank()) {
            return option.strip();
        }
        String fromEnv = env.get(ENV);
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv.strip() : DEFAULT;
    }

    /**
     * A runtime for {@code desk}'s topics on the broker at {@code bootstrap}, in consumer group {@code group}.
     *
     * @throws CliError if no broker answers there, or the address is not one
     */
    static KafkaRuntime connect(String bootstrap, String desk, String clientId, String group) {
        KafkaSettings settings;
        try {
            // Each desk's topics under a prefix of its own: every desk has a "user" topic.
            settings = KafkaSettings.of(bootstrap, clientId, group).withTopicPrefix(KafkaSettings.DEFAULT_TOPIC_PREFIX + desk + ".")
                    .withTimeout(java.time.Duration.ofSeconds(10));
        } catch (IllegalArgumentException e) {
            throw new CliError("--kafka " + bootstrap + ": " + e.getMessage());
        }
        MessageTypes types = new MessageTypes();
        HandoffDesk.registerMessageTypes(types);
        try {
            // The only sends are the human agent's questions to the operator at a console, who takes the
            // time they take: the human agent's own timeout ends the wait, not the client timeout.
            return KafkaRuntime.builder(settings).codec(new MessageCodec(types)).sendTimeout(OPERATOR_WAIT).build();
        } catch (KafkaUnavailableException e) {
            throw new CliError("no Kafka broker answers at " + bootstrap + " (" + e.getMessage() + "); start one, or name it with --kafka HOST:PORT"
                    + " or " + ENV);
        }
    }
}
