package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("KafkaSettings")
class KafkaSettingsTest {

    @Test
    @DisplayName("takes kafka-clients' comma-separated servers, with the default prefix and timeout")
    void parses_bootstrap_servers() {
        KafkaSettings settings = KafkaSettings.of("127.0.0.1:9092, kafka-2.local:19092,[::1]:9093", "desk-worker", "desk");

        assertThat(settings.bootstrapServers()).containsExactly("127.0.0.1:9092", "kafka-2.local:19092", "[::1]:9093");
        assertThat(settings.bootstrapServersConfig()).isEqualTo("127.0.0.1:9092,kafka-2.local:19092,[::1]:9093");
        assertThat(settings.topicPrefix()).isEqualTo(KafkaSettings.DEFAULT_TOPIC_PREFIX);
        assertThat(settings.timeout()).isEqualTo(KafkaSettings.DEFAULT_TIMEOUT);
        assertThat(settings.topicNames().topicFor("triage")).isEqualTo("baton.triage");
    }

    @Test
    @DisplayName("refuses missing or malformed servers, naming the one at fault")
    void refuses_bad_servers() {
        assertThatThrownBy(() -> KafkaSettings.of("", "c", "g"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrap servers: none given");
        assertThatThrownBy(() -> KafkaSettings.of("localhost", "c", "g"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'localhost': expected host:port");
        assertThatThrownBy(() -> KafkaSettings.of("a:9092,", "c", "g"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrap server '': expected host:port");
        assertThatThrownBy(() -> KafkaSettings.of("a:70000", "c", "g"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port 70000 is outside 1-65535");
        assertThatThrownBy(() -> KafkaSettings.of("a:0", "c", "g"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port 0 is outside");
        assertThatThrownBy(() -> new KafkaSettings(List.of(), "c", "g", "", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("none given");
    }

    @Test
    @DisplayName("refuses a blank group, a client id Kafka would mangle, an illegal prefix and a non-positive timeout")
    void refuses_bad_names_and_timeouts() {
        KafkaSettings ok = KafkaSettings.of("127.0.0.1:9092", "worker-1", "desk");

        assertThatThrownBy(() -> KafkaSettings.of("127.0.0.1:9092", "worker 1", "desk"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client id 'worker 1'");
        assertThatThrownBy(() -> ok.withGroupId(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group id ' ': must not be blank");
        assertThatThrownBy(() -> ok.withTopicPrefix("acme/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic prefix 'acme/'");
        assertThatThrownBy(() -> ok.withTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout PT0S: must be positive");
        assertThat(ok.withTopicPrefix("").topicNames().topicFor("user")).isEqualTo("user");
    }

    @Test
    @DisplayName("configures an idempotent producer waiting for all replicas, and consumers that commit by hand")
    void client_configurations() {
        KafkaSettings settings = KafkaSettings.of("127.0.0.1:9092", "worker-1", "desk").withTimeout(Duration.ofSeconds(3));

        assertThat(settings.producerConfig())
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092")
                .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "worker-1")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
        assertThat(settings.consumerConfig())
                .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "desk")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .containsEntry(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        assertThat(settings.consumerConfig()).as("a fresh map each time").isNotSameAs(settings.consumerConfig());
    }
}
