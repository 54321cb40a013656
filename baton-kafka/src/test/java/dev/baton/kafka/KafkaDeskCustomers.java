package dev.baton.kafka;

import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.runtime.Envelope;
import dev.baton.runtime.MessageCodec;
import dev.baton.runtime.MessageTypes;
import dev.baton.runtime.handoff.AgentResponse;
import dev.baton.runtime.handoff.HandoffDesk;
import dev.baton.runtime.handoff.Person;
import dev.baton.session.SessionStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The people of the Kafka desk tests, in the test's JVM: a {@link KafkaRuntime} of its own consumer
 * group hosting the desk's {@link dev.baton.runtime.handoff.UserAgent}s, one per session, each asking
 * {@link KafkaDesk#question} and ending its session with the answer it hears. Every answer heard is
 * kept with the time it was heard.
 */
final class KafkaDeskCustomers implements AutoCloseable {

    /** An answer a person heard. */
    record Heard(String session, AgentResponse answer, long atMicros) {}

    /** A record of the user topic as Kafka holds it: the envelope, and when its publisher wrote it. */
    record Published(Envelope envelope, Object message, long createdMillis) {}

    private final KafkaSettings settings;
    private final HandoffDesk<Void> desk;
    private final KafkaRuntime runtime;
    private final MessageCodec codec;
    private final Map<String, List<Heard>> heard = new ConcurrentHashMap<>();
    private final AtomicInteger answered = new AtomicInteger();
    private final Map<String, Long> loggedIn = new ConcurrentHashMap<>();

    KafkaDeskCustomers(KafkaSettings settings, SessionStore sessions) {
        this.settings = settings;
        MessageTypes types = new MessageTypes();
        HandoffDesk.registerMessageTypes(types);
        this.codec = new MessageCodec(types);
        Runner runner = Runner.create(RunConfig.builder().sessionStore(sessions).build());
        this.desk = HandoffDesk.builder(new KafkaDesk(null, 0).triage(), runner).name(KafkaDesk.DESK).build();
        this.runtime = KafkaRuntime.builder(settings).codec(codec).build();
        desk.hostUser(runtime, new Person() {
            @Override
            public Optional<String> firstMessage(String session) {
                return Optional.of(KafkaDesk.question(session));
            }

            @Override
            public Optional<String> reply(String session, AgentResponse answer) {
                heard.computeIfAbsent(session, s -> new CopyOnWriteArrayList<>()).add(new Heard(session, answer, KafkaDesk.Timings.micros()));
                answered.incrementAndGet();
                return Optional.empty();
            }
        });
    }

    /** Waits until this runtime's consumer owns the user topic's partitions. */
    KafkaDeskCustomers awaitAssignment(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (runtime.assignment().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the customers' consumer got no partition within " + timeout);
            }
            Thread.sleep(20);
        }
        return this;
    }

    /** Opens {@code session}: its user agent asks the question. Safe from several threads. */
    void login(String session) {
        loggedIn.put(session, KafkaDesk.Timings.micros());
        desk.login(runtime, session);
    }

    long loggedInAt(String session) {
        return loggedIn.get(session);
    }

    /** How many answers the people heard so far, duplicates included. */
    int answered() {
        return answered.get();
    }

    /** A copy of what each session heard: for a few hundred sessions; a measurement asks {@link #sessionsHeard} and {@link #heardBy}. */
    Map<String, List<Heard>> heard() {
        return Map.copyOf(heard);
    }

    /** How many sessions heard something, without copying what they heard. */
    int sessionsHeard() {
        return heard.size();
    }

    /** What {@code session} heard, in order. */
    List<Heard> heardBy(String session) {
        return heard.getOrDefault(session, List.of());
    }

    /** Every record of the desk's user topic, read from the start. */
    List<Published> userTopic() {
        return read(settings.topicNames().topicFor(desk.userTopic()));
    }

    /** Every record of the topic of {@code topicType}, read from the start. */
    List<Published> read(String topic) {
        var config = settings.consumerConfig();
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientId() + "-reader");
        List<Published> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(10)) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " to its end took longer than 30 s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Envelope envelope = codec.fromJson(new String(r.value(), StandardCharsets.UTF_8));
                    out.add(new Published(envelope, codec.decode(envelope), r.timestamp()));
                }
            }
        }
        return out;
    }

    /** Waits until the people's runtime has nothing more to handle, then stops it. */
    void stopWhenIdle() {
        runtime.stopWhenIdle();
        desk.close();
    }

    @Override
    public void close() {
        runtime.stop();
        desk.close();
    }
}
