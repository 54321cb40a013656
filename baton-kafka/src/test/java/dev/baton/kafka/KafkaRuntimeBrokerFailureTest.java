package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.runtime.Handles;
import dev.baton.runtime.MessageCodec;
import dev.baton.runtime.MessageType;
import dev.baton.runtime.MessageTypes;
import dev.baton.runtime.RoutedAgent;
import dev.baton.runtime.Subscription;
import dev.baton.runtime.TopicId;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** KafkaRuntime when the broker is not there: at start, and gone for a while mid-conversation. */
@DisplayName("KafkaRuntime when the broker is down")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaRuntimeBrokerFailureTest {

    @MessageType("test.Hop")
    record Hop(int remaining) {}

    /** Passes the hop on to the other side until none remain. */
    static final class Relay extends RoutedAgent {
        private final List<Integer> seen;

        Relay(List<Integer> seen) {
            this.seen = seen;
        }

        @Handles
        void hop(Hop hop) throws InterruptedException {
            seen.add(hop.remaining());
            Thread.sleep(50);
            if (hop.remaining() > 0) {
                String next = id().type().equals("ping") ? "to_pong" : "to_ping";
                publish(new Hop(hop.remaining() - 1), new TopicId(next, id().key()));
            }
        }
    }

    @Test
    @DisplayName("with no broker at the address, building the runtime fails at once with an error naming the address")
    void no_broker_at_start() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        KafkaSettings settings = KafkaSettings.of("127.0.0.1:" + port, "nobody-home", "g").withTimeout(Duration.ofSeconds(2));

        assertThatThrownBy(() -> KafkaRuntime.builder(settings).build())
                .isInstanceOf(KafkaUnavailableException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("no Kafka broker answered");
    }

    @Test
    @DisplayName("a broker killed and restarted mid-conversation: the conversation completes, no hop lost")
    void broker_killed_and_restarted_mid_conversation() {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        try (KafkaBroker broker = KafkaBroker.start(java.util.Map.of(
                "group.consumer.heartbeat.interval.ms", "500",
                "group.consumer.min.heartbeat.interval.ms", "500"))) {
            KafkaSettings settings = broker.settings("relay", "relay-group").withTimeout(Duration.ofSeconds(60));
            try (KafkaRuntime worker = KafkaRuntime.builder(settings)
                    .codec(new MessageCodec(MessageTypes.of(Hop.class)))
                    .partitions(2)
                    .build()) {
                worker.register("ping", id -> new Relay(seen));
                worker.register("pong", id -> new Relay(seen));
                worker.subscribe(Subscription.byType("to_ping", "ping"));
                worker.subscribe(Subscription.byType("to_pong", "pong"));

                worker.publish(new Hop(40), new TopicId("to_ping", "conversation-1"));
                await(() -> seen.size() >= 10, Duration.ofSeconds(60), "the conversation is under way");
                broker.kill();
                broker.restart();
                System.out.println("broker restarted after kill -9 in " + broker.lastStartUp().toMillis() + " ms, at hop "
                        + seen.get(seen.size() - 1));

                await(() -> seen.contains(0), Duration.ofSeconds(120), "the conversation's last hop");
                assertThat(seen).containsAll(IntStream.rangeClosed(0, 40).boxed().toList());
            }
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, Duration wait, String what) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + wait + " for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
