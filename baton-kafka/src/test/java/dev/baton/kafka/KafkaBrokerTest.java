package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the Kafka transport will count on, shown with kafka-clients against a real broker: keyed
 * order, a group sharing partitions, offsets committed after processing, and a broker that dies.
 * Each test has its own topics and group, so the tests do not depend on each other or their order.
 */
@DisplayName("A real Kafka broker in a child JVM, with kafka-clients")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaBrokerTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start();
        System.out.println("broker " + broker + " started in " + broker.lastStartUp().toMillis() + " ms");
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @DisplayName("records with the same key land on the same partition and are consumed in the order sent")
    void same_key_same_partition_in_order() throws Exception {
        String topic = "baton.keyed";
        broker.createTopic(topic, 3);
        KafkaSettings settings = broker.settings("keyed", "keyed-group");
        List<String> keys = List.of("session-a", "session-b", "session-c", "session-d");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producerConfig())) {
            for (int i = 0; i < 20; i++) {
                for (String key : keys) {
                    producer.send(new ProducerRecord<>(topic, key, bytes(key + "#" + i)));
                }
            }
            producer.flush();
        }

        List<ConsumerRecord<String, byte[]>> received = consume(settings, topic, 80);

        Map<String, Set<Integer>> partitionsOfKey = new HashMap<>();
        Map<String, List<String>> valuesOfKey = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : received) {
            partitionsOfKey.computeIfAbsent(r.key(), k -> new HashSet<>()).add(r.partition());
            valuesOfKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(text(r.value()));
        }
        assertThat(partitionsOfKey).containsOnlyKeys(keys);
        partitionsOfKey.forEach((key, partitions) -> assertThat(partitions).as("partitions of %s", key).hasSize(1));
        for (String key : keys) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                expected.add(key + "#" + i);
            }
            assertThat(valuesOfKey.get(key)).as("values of %s in order", key).isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("two consumers of one group share a topic's partitions, each partition to one of them")
    void a_group_shares_the_partitions() throws Exception {
        String topic = "baton.shared";
        broker.createTopic(topic, 4);
        KafkaSettings settings = broker.settings("sharing", "sharing-group");
        try (KafkaConsumer<String, byte[]> first = new KafkaConsumer<>(settings.consumerConfig());
                KafkaConsumer<String, byte[]> second = new KafkaConsumer<>(settings.consumerConfig())) {
            first.subscribe(List.of(topic));
            second.subscribe(List.of(topic));

            pollUntil(() -> {
                first.poll(Duration.ofMillis(100));
                second.poll(Duration.ofMillis(100));
                return !first.assignment().isEmpty() && !second.assignment().isEmpty()
                        && first.assignment().size() + second.assignment().size() == 4;
            }, "both consumers have partitions");

            Set<TopicPartition> all = new HashSet<>(first.assignment());
            all.addAll(second.assignment());
            assertThat(all).hasSize(4).extracting(TopicPartition::topic).containsOnly(topic);
            assertThat(first.assignment()).doesNotContainAnyElementsOf(second.assignment());
        }
    }

    @Test
    @DisplayName("a message whose offset was not committed is delivered again to the group's next consumer")
    void uncommitted_messages_are_redelivered() throws Exception {
        String topic = "baton.redelivery";
        broker.createTopic(topic, 1);
        KafkaSettings settings = broker.settings("redelivery", "redelivery-group");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producerConfig())) {
            for (String value : List.of("m1", "m2", "m3")) {
                producer.send(new ProducerRecord<>(topic, "s1", bytes(value))).get(30, TimeUnit.SECONDS);
            }
        }

        // The first worker processes m1 and commits it, then dies before it commits m2 and m3.
        try (KafkaConsumer<String, byte[]> worker = new KafkaConsumer<>(settings.consumerConfig())) {
            worker.subscribe(List.of(topic));
            List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
            pollUntil(() -> {
                worker.poll(Duration.ofMillis(200)).forEach(seen::add);
                return seen.size() >= 3;
            }, "the first worker sees three messages");
            ConsumerRecord<String, byte[]> m1 = seen.get(0);
            assertThat(text(m1.value())).isEqualTo("m1");
            worker.commitSync(Map.of(new TopicPartition(topic, m1.partition()), new OffsetAndMetadata(m1.offset() + 1)));
        }

        List<ConsumerRecord<String, byte[]>> again = consume(settings, topic, 2);
        assertThat(again).extracting(r -> text(r.value())).containsExactly("m2", "m3");
    }

    @Test
    @DisplayName("after kill -9 and a restart, an idempotent producer's pending sends and a consumer's committed position survive")
    void broker_killed_and_restarted() throws Exception {
        String topic = "baton.crash";
        broker.createTopic(topic, 2);
        KafkaSettings settings = broker.settings("crash", "crash-group").withTimeout(Duration.ofSeconds(60));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings.producerConfig());
                KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings.consumerConfig())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "s" + (i % 3), bytes("before-" + i))).get(30, TimeUnit.SECONDS);
            }
            consumer.subscribe(List.of(topic));
            List<String> before = new ArrayList<>();
            pollUntil(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> before.add(text(r.value())));
                return before.size() >= 10;
            }, "the consumer has the first ten");
            consumer.commitSync();

            broker.kill();
            assertThat(broker.isRunning()).isFalse();
            assertThatThrownBy(() -> KafkaProbe.awaitReachable(settings, Duration.ofSeconds(1)))
                    .isInstanceOf(KafkaUnavailableException.class)
                    .hasMessageContaining(broker.bootstrapServers());
            // A send may block (up to the settings' timeout) while the broker is down: once every
            // broker is unreachable the producer re-bootstraps and forgets the topic's partitions.
            // So the application sends from its own thread while the broker comes back.
            List<Future<RecordMetadata>> pending = new CopyOnWriteArrayList<>();
            Thread sender = Thread.ofVirtual().name("sender").start(() -> {
                for (int i = 0; i < 10; i++) {
                    pending.add(producer.send(new ProducerRecord<>(topic, "s" + (i % 3), bytes("after-" + i))));
                }
            });

            broker.restart();
            System.out.println("broker restarted after kill -9 in " + broker.lastStartUp().toMillis() + " ms");

            assertThat(sender.join(WAIT)).as("the sender finished").isTrue();
            assertThat(pending).hasSize(10);
            for (Future<RecordMetadata> sent : pending) {
                sent.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            List<String> after = new ArrayList<>();
            pollUntil(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> after.add(text(r.value())));
                return after.size() >= 10;
            }, "the consumer has the ten sent while the broker was down");
            consumer.commitSync();

            assertThat(before).containsExactlyInAnyOrderElementsOf(values("before-", 10));
            assertThat(after).as("nothing lost, nothing committed seen again, no duplicate from the retries")
                    .containsExactlyInAnyOrderElementsOf(values("after-", 10));
        }
        assertThat(broker.isRunning()).isTrue();
    }

    private static List<ConsumerRecord<String, byte[]>> consume(KafkaSettings settings, String topic, int count) {
        List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings.consumerConfig())) {
            consumer.subscribe(List.of(topic));
            pollUntil(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return received.size() >= count;
            }, count + " records from " + topic);
            consumer.commitSync();
        }
        return received;
    }

    private static void pollUntil(java.util.function.BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what + "; broker log: " + broker.logFile());
            }
        }
    }

    private static List<String> values(String prefix, int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(prefix + i);
        }
        return values;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
