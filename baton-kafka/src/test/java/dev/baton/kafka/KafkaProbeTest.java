package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A broker that is down at start: the error is clear, and it comes when the settings' timeout says. */
@DisplayName("With no broker at the address")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KafkaProbeTest {

    private static String addressWithNothingListening() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + socket.getLocalPort();
        }
    }

    @Test
    @DisplayName("the probe fails with KafkaUnavailableException naming the address and the time waited")
    void probe_fails_clearly() throws Exception {
        String address = addressWithNothingListening();
        KafkaSettings settings = KafkaSettings.of(address, "desk-worker", "desk");

        assertThatThrownBy(() -> KafkaProbe.awaitReachable(settings, Duration.ofSeconds(2)))
                .isInstanceOf(KafkaUnavailableException.class)
                .hasMessageStartingWith("no Kafka broker answered at " + address + " within PT2S (client id desk-worker)")
                .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }

    @Test
    @DisplayName("an unresolvable host fails the probe the same way")
    void unresolvable_host() {
        KafkaSettings settings = KafkaSettings.of("no-such-host.invalid:9092", "desk-worker", "desk");

        assertThatThrownBy(() -> KafkaProbe.awaitReachable(settings, Duration.ofSeconds(2)))
                .isInstanceOf(KafkaUnavailableException.class)
                .hasMessageContaining("no-such-host.invalid:9092");
    }

    @Test
    @DisplayName("a producer's send fails once the settings' timeout has passed, instead of blocking")
    void producer_send_times_out() throws Exception {
        KafkaSettings settings = KafkaSettings.of(addressWithNothingListening(), "desk-worker", "desk")
                .withTimeout(Duration.ofSeconds(2));

        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producerConfig())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("baton.triage", "s1", "hi".getBytes(StandardCharsets.UTF_8)))
                            .get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class)
                    .rootCause().hasMessageContaining("2000 ms");
        }
    }
}
