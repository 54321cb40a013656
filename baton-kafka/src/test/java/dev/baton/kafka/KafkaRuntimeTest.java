package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.human.HumanReply;
import dev.baton.human.HumanRequest;
import dev.baton.runtime.AgentId;
import dev.baton.runtime.DeadLetter;
import dev.baton.runtime.DeliveryException;
import dev.baton.runtime.DeliveryFailure;
import dev.baton.runtime.Handles;
import dev.baton.runtime.InMemoryDeadLetters;
import dev.baton.runtime.MessageCodec;
import dev.baton.runtime.MessageContext;
import dev.baton.runtime.MessageType;
import dev.baton.runtime.MessageTypes;
import dev.baton.runtime.NotHandledHere;
import dev.baton.runtime.RoutedAgent;
import dev.baton.runtime.Subscription;
import dev.baton.runtime.TopicId;
import dev.baton.runtime.handoff.RuntimeHumans;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * KafkaRuntime against a real broker: workers in one consumer group, publish and send across
 * runtimes, per-session order, duplicates, dead letters and a worker that stops mid-stream. Each
 * test has its own topic prefix and group.
 */
@DisplayName("KafkaRuntime: the runtime across worker processes on Kafka")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaRuntimeTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static KafkaBroker broker;

    @MessageType("test.Say")
    record Say(String session, int n) {}

    @MessageType("test.Lookup")
    record Lookup(String invoiceId) {}

    @MessageType("test.Invoice")
    record Invoice(String invoiceId, int cents) {}

    @MessageType("test.Child")
    record Child(int n) {}

    /** Who handled what, shared by the agents of one test. */
    record Seen(String worker, AgentId agent, Say say, MessageContext context, long atNanos) {}

    private final List<KafkaRuntime> runtimes = new ArrayList<>();
    private String prefix;
    private String group;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.startWithQuickGroups();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void names(TestInfo test) {
        String name = test.getTestMethod().orElseThrow().getName().replace('_', '-');
        prefix = "t-" + name + ".";
        group = "g-" + name;
    }

    @AfterEach
    void stopRuntimes() {
        for (KafkaRuntime runtime : runtimes) {
            runtime.stop();
        }
    }

    static final class Echo extends RoutedAgent {
        private final String worker;
        private final List<Seen> seen;

        Echo(String worker, List<Seen> seen) {
            this.worker = worker;
            this.seen = seen;
        }

        @Handles
        void say(Say say, MessageContext context) {
            seen.add(new Seen(worker, id(), say, context, System.nanoTime()));
        }
    }

    @Test
    @DisplayName("a message published by one runtime reaches the subscribed agent hosted by another runtime of the group")
    void publish_reaches_a_subscriber_in_another_runtime() {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        KafkaRuntime worker = runtime("worker", b -> {});
        worker.register("echo", id -> new Echo("worker", seen));
        worker.subscribe(Subscription.byType("chat", "echo"));
        KafkaRuntime client = runtime("client", b -> {});

        client.publish(new Say("s1", 0), new TopicId("chat", "s1"));

        await(() -> seen.size() == 1, "the worker handles the message");
        Seen first = seen.get(0);
        assertThat(first.agent()).isEqualTo(new AgentId("echo", "s1"));
        assertThat(first.say()).isEqualTo(new Say("s1", 0));
        assertThat(first.context().topic()).isEqualTo(new TopicId("chat", "s1"));
        assertThat(first.context().sender()).isNull();

        // One hop's latency, publish to handler, as seen here (printed, not asserted).
        List<Long> micros = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            long start = System.nanoTime();
            client.publish(new Say("s1", i), new TopicId("chat", "s1"));
            int expected = i + 1;
            await(() -> seen.size() == expected, "message " + i + " is handled");
            micros.add((seen.get(i).atNanos() - start) / 1_000);
        }
        Collections.sort(micros);
        System.out.println("publish -> handler on another runtime: p50 " + micros.get(10) / 1000.0 + " ms, max "
                + micros.get(19) / 1000.0 + " ms (20 hops, broker on loopback)");
        assertThat(seen).extracting(s -> s.say().n()).containsExactlyElementsOf(IntStream.rangeClosed(0, 20).boxed().toList());
    }

    @Test
    @DisplayName("a prefix subscription follows every topic type with the prefix, including topics made after it")
    void prefix_subscription_follows_new_topics() {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        KafkaRuntime worker = runtime("worker", b -> {});
        worker.register("auditor", id -> new Echo("worker", seen));
        worker.subscribe(Subscription.byPrefix("support.", "auditor"));
        KafkaRuntime client = runtime("client", b -> {});

        client.publish(new Say("s1", 1), new TopicId("support.billing", "s1"));
        client.publish(new Say("s2", 2), new TopicId("support.refunds", "s2"));

        await(() -> seen.size() == 2, "both topics' messages are handled");
        assertThat(seen).extracting(Seen::agent).containsExactlyInAnyOrder(new AgentId("auditor", "s1"), new AgentId("auditor", "s2"));
        assertThat(seen).extracting(x -> x.context().topic())
                .containsExactlyInAnyOrder(new TopicId("support.billing", "s1"), new TopicId("support.refunds", "s2"));
    }

    @Test
    @DisplayName("two workers of one group share the partitions, and each session's messages are handled in order")
    void two_workers_share_partitions_and_keep_session_order() {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        KafkaRuntime first = runtime("first", b -> {});
        KafkaRuntime second = runtime("second", b -> {});
        first.register("counter", id -> new Echo("first", seen));
        second.register("counter", id -> new Echo("second", seen));
        first.subscribe(Subscription.byType("count", "counter"));
        second.subscribe(Subscription.byType("count", "counter"));
        String topic = prefix + "count-";
        await(() -> first.assignment().stream().anyMatch(p -> p.startsWith(topic))
                && second.assignment().stream().anyMatch(p -> p.startsWith(topic)), "both workers own partitions of the topic");
        KafkaRuntime client = runtime("client", b -> {});

        int sessions = 30;
        int perSession = 10;
        for (int n = 0; n < perSession; n++) {
            for (int s = 0; s < sessions; s++) {
                client.publish(new Say("s" + s, n), new TopicId("count", "s" + s));
            }
        }

        await(() -> seen.size() >= sessions * perSession, "every message is handled");
        assertThat(seen).hasSize(sessions * perSession);
        Map<String, List<Integer>> bySession = new ConcurrentHashMap<>();
        Map<String, Set<String>> workersOfSession = new ConcurrentHashMap<>();
        for (Seen s : seen) {
            bySession.computeIfAbsent(s.say().session(), k -> new CopyOnWriteArrayList<>()).add(s.say().n());
            workersOfSession.computeIfAbsent(s.say().session(), k -> ConcurrentHashMap.newKeySet()).add(s.worker());
        }
        List<Integer> inOrder = IntStream.range(0, perSession).boxed().toList();
        assertThat(bySession).hasSize(sessions).allSatisfy((session, ns) -> assertThat(ns).as(session).isEqualTo(inOrder));
        assertThat(workersOfSession).allSatisfy((session, workers) -> assertThat(workers).as(session).hasSize(1));
        assertThat(seen).extracting(Seen::worker).contains("first", "second");
        assertThat(first.assignment()).doesNotContainAnyElementsOf(second.assignment());
    }

    static final class Invoices extends RoutedAgent {
        @Handles
        Invoice lookup(Lookup lookup) {
            if (lookup.invoiceId().isEmpty()) {
                throw new IllegalArgumentException("no invoice id");
            }
            return new Invoice(lookup.invoiceId(), 4_200);
        }
    }

    @Test
    @DisplayName("send across runtimes: the reply comes back; a handler that throws fails the future; nobody answering times out clearly")
    void send_and_reply_across_runtimes() throws Exception {
        KafkaRuntime worker = runtime("worker", b -> b.maxAttempts(1));
        worker.register("invoices", id -> new Invoices());
        KafkaRuntime client = runtime("client", b -> b.sendTimeout(Duration.ofSeconds(3)));

        Invoice invoice = client.send(new Lookup("INV-8821"), new AgentId("invoices", "acme"), Invoice.class)
                .get(60, TimeUnit.SECONDS);
        assertThat(invoice).isEqualTo(new Invoice("INV-8821", 4_200));

        assertThatThrownBy(() -> client.send(new Lookup(""), new AgentId("invoices", "acme")).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeliveryFailure.HANDLER_FAILED);
                    assertThat(e.recipient()).isEqualTo(new AgentId("invoices", "acme"));
                    assertThat(e).hasMessageContaining("no invoice id");
                });

        assertThatThrownBy(() -> client.send(new Lookup("INV-1"), new AgentId("nobody", "acme")).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TimeoutException.class)
                .hasMessageContaining("no reply from nobody/acme")
                .hasMessageContaining("agent type 'nobody'");
    }

    @Test
    @DisplayName("a send that runtimes of two groups receive is answered by the one that handles it; the other declines and sends no reply")
    void a_declined_send_is_left_to_the_group_that_handles_it() throws Exception {
        CountDownLatch declined = new CountDownLatch(1);
        KafkaRuntime elsewhere = runtime("elsewhere", group + "-elsewhere", b -> {});
        elsewhere.register("invoices", id -> new RoutedAgent() {
            {
                answer(Lookup.class, (lookup, context) -> {
                    declined.countDown();
                    return new NotHandledHere("account " + id.key() + " is served by another console");
                });
            }
        });
        KafkaRuntime here = runtime("here", group + "-here", b -> {});
        here.register("invoices", id -> new RoutedAgent() {
            {
                answer(Lookup.class, (lookup, context) -> {
                    try { // answers only after the other group declined: a reply from there would have come first
                        declined.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return new Invoice(lookup.invoiceId(), 990);
                });
            }
        });
        KafkaRuntime client = runtime("client", b -> b.sendTimeout(Duration.ofSeconds(30)));

        Invoice invoice = client.send(new Lookup("INV-5"), new AgentId("invoices", "acme"), Invoice.class).get(60, TimeUnit.SECONDS);

        assertThat(declined.getCount()).as("the other group saw the send and declined it").isZero();
        assertThat(invoice).isEqualTo(new Invoice("INV-5", 990));
    }

    @Test
    @DisplayName("consoles on one broker, each in a group of its own: a human agent's question is answered by its session's console only")
    void each_console_answers_the_questions_of_its_own_session() {
        List<String> askedAtB = new CopyOnWriteArrayList<>();
        KafkaRuntime consoleB = runtime("console-b", group + "-chat-s-b", b -> {});
        KafkaRuntime consoleA = runtime("console-a", group + "-chat-s-a", b -> {});
        // The console of session s-b would answer at once; the person at s-a's console takes a moment.
        RuntimeHumans.hostOperator(consoleB, request -> {
            askedAtB.add(request.sessionId());
            return Optional.of(HumanReply.say("Console B here."));
        }, "s-b"::equals);
        RuntimeHumans.hostOperator(consoleA, request -> {
            sleep(Duration.ofMillis(500));
            return Optional.of(HumanReply.say("Dana, at console A, for " + request.sessionId() + "."));
        }, "s-a"::equals);
        RuntimeHumans humanAgent = new RuntimeHumans().bind(runtime("worker", b -> {}));
        await(() -> !consoleA.assignment().isEmpty() && !consoleB.assignment().isEmpty(),
                "both consoles read the operator's topic before the question is asked");

        Optional<HumanReply> reply = humanAgent.ask(new HumanRequest("human_agent", null, List.of(), List.of(),
                Instant.now().plusSeconds(60), "run-1", "s-a"));

        assertThat(reply).hasValueSatisfying(r -> assertThat(r.text()).isEqualTo("Dana, at console A, for s-a."));
        assertThat(askedAtB).as("console B's person is never asked about another session").isEmpty();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Publishes two children, then fails the first time it sees a message. */
    static final class Flaky extends RoutedAgent {
        private final AtomicInteger attempts;

        Flaky(AtomicInteger attempts) {
            this.attempts = attempts;
        }

        @Handles
        void say(Say say) {
            publish(new Child(1), new TopicId("children", id().key()));
            publish(new Child(2), new TopicId("children", id().key()));
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("crashed after publishing");
            }
        }
    }

    static final class Children extends RoutedAgent {
        final List<String> ids;

        Children(List<String> ids) {
            this.ids = ids;
        }

        @Handles
        void child(Child child, MessageContext context) {
            ids.add(child.n() + " " + context.messageId());
        }
    }

    @Test
    @DisplayName("a duplicate record is handled once, and a handler run again republishes its messages under the same ids, handled once downstream")
    void duplicates_are_dropped_by_message_id() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        List<String> children = new CopyOnWriteArrayList<>();
        KafkaRuntime worker = runtime("worker", b -> b.maxAttempts(2).retryBackoff(Duration.ofMillis(10)));
        worker.register("echo", id -> new Echo("worker", seen));
        worker.register("flaky", id -> new Flaky(attempts));
        worker.register("children", id -> new Children(children));
        worker.subscribe(Subscription.byType("chat", "echo"));
        worker.subscribe(Subscription.byType("flaky", "flaky"));
        worker.subscribe(Subscription.byType("children", "children"));

        MessageCodec codec = worker.codec();
        String record = codec.toJson(codec.encode(new Say("s1", 1), "m-1", null, new TopicId("chat", "s1"), null));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.settings("raw", "unused").producerConfig())) {
            producer.send(new ProducerRecord<>(prefix + "chat", "s1", record.getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(prefix + "chat", "s1", record.getBytes(StandardCharsets.UTF_8))).get();
        }
        KafkaRuntime client = runtime("client", b -> {});
        client.publish(new Say("s1", 2), new TopicId("chat", "s1"));
        client.publish(new Say("s1", 0), new TopicId("flaky", "s1"));

        // The first attempt's children may be handled before the retry starts: wait for both.
        await(() -> seen.stream().anyMatch(s -> s.say().n() == 2) && children.size() >= 2 && attempts.get() >= 2,
                "the marker after the duplicate, the children and the retry are handled");
        assertThat(seen).extracting(s -> s.say().n()).containsExactly(1, 2);
        assertThat(seen.get(0).context().messageId()).isEqualTo("m-1");
        assertThat(attempts).hasValue(2);
        // Four child records were written (two per attempt); each id is handled once.
        client.publish(new Say("s1", 3), new TopicId("chat", "s1"));
        await(() -> seen.size() >= 3, "a later marker is handled");
        assertThat(children).hasSize(2);
        assertThat(children.get(0)).startsWith("1 ");
        assertThat(children.get(1)).startsWith("2 ");
        assertThat(records(prefix + "children", 4)).hasSize(4);
    }

    @Test
    @DisplayName("a record that is no envelope and one of an unknown type go to the dead-letter topic with their error; the next message is handled")
    void unreadable_records_are_dead_lettered() throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        InMemoryDeadLetters letters = new InMemoryDeadLetters();
        KafkaRuntime worker = runtime("worker", b -> b.deadLetters(letters));
        worker.register("echo", id -> new Echo("worker", seen));
        worker.subscribe(Subscription.byType("chat", "echo"));

        String unknown = "{\"id\":\"m-9\",\"type\":\"test.Nope\",\"payload\":{},\"topic\":{\"type\":\"chat\",\"source\":\"s1\"}}";
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(broker.settings("raw", "unused").producerConfig())) {
            producer.send(new ProducerRecord<>(prefix + "chat", "s1", "not json {".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(prefix + "chat", "s1", unknown.getBytes(StandardCharsets.UTF_8))).get();
        }
        runtime("client", b -> {}).publish(new Say("s1", 1), new TopicId("chat", "s1"));

        await(() -> seen.size() == 1, "the message after the unreadable ones is handled");
        List<JsonNode> dead = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records(prefix + "__dead-letters", 2)) {
            dead.add(new ObjectMapper().readTree(r.value()));
        }
        assertThat(dead).extracting(d -> d.get("reason").asText()).containsOnly("UNREADABLE");
        JsonNode notJson = dead.stream().filter(d -> d.path("raw").asText().equals("not json {")).findFirst().orElseThrow();
        assertThat(notJson.get("detail").asText()).contains("is not a message envelope");
        assertThat(notJson.get("source").get("topic").asText()).isEqualTo(prefix + "chat");
        JsonNode nope = dead.stream().filter(d -> d.path("envelope").path("id").asText().equals("m-9")).findFirst().orElseThrow();
        assertThat(nope.get("detail").asText()).contains("unknown message type 'test.Nope'");
        assertThat(letters.list()).extracting(DeadLetter::reason).containsExactly(DeliveryFailure.UNREADABLE, DeliveryFailure.UNREADABLE);
        assertThat(letters.list()).extracting(l -> l.envelope().topic()).containsOnly(new TopicId("chat", "s1"));
    }

    static final class Broken extends RoutedAgent {
        private final AtomicInteger attempts;
        private final List<Integer> handled;

        Broken(AtomicInteger attempts, List<Integer> handled) {
            this.attempts = attempts;
            this.handled = handled;
        }

        @Handles
        void say(Say say) {
            if (say.n() == 0) {
                attempts.incrementAndGet();
                throw new IllegalStateException("always broken on 0");
            }
            handled.add(say.n());
        }
    }

    @Test
    @DisplayName("a handler that always throws is tried maxAttempts times, then dead-lettered with its error; later messages are handled")
    void failing_handler_is_retried_then_dead_lettered() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        List<Integer> handled = new CopyOnWriteArrayList<>();
        InMemoryDeadLetters letters = new InMemoryDeadLetters();
        KafkaRuntime worker = runtime("worker", b -> b.maxAttempts(3).retryBackoff(Duration.ofMillis(20)).deadLetters(letters));
        worker.register("broken", id -> new Broken(attempts, handled));
        worker.subscribe(Subscription.byType("work", "broken"));
        KafkaRuntime client = runtime("client", b -> {});

        client.publish(new Say("s1", 0), new TopicId("work", "s1"));
        client.publish(new Say("s1", 1), new TopicId("work", "s1"));

        await(() -> handled.contains(1), "the next message is handled");
        assertThat(attempts).hasValue(3);
        assertThat(letters.list()).singleElement().satisfies(letter -> {
            assertThat(letter.reason()).isEqualTo(DeliveryFailure.HANDLER_FAILED);
            assertThat(letter.detail()).contains("always broken on 0").contains("3 attempts");
            assertThat(letter.envelope().recipient()).isEqualTo(new AgentId("broken", "s1"));
        });
        JsonNode dead = new ObjectMapper().readTree(records(prefix + "__dead-letters", 1).get(0).value());
        assertThat(dead.get("reason").asText()).isEqualTo("HANDLER_FAILED");
        assertThat(dead.get("detail").asText()).contains("always broken on 0");
        assertThat(dead.get("envelope").get("payload").get("n").asInt()).isZero();
    }

    static final class Slow extends RoutedAgent {
        private final String worker;
        private final List<Seen> seen;

        Slow(String worker, List<Seen> seen) {
            this.worker = worker;
            this.seen = seen;
        }

        @Handles
        void say(Say say, MessageContext context) throws InterruptedException {
            Thread.sleep(30);
            seen.add(new Seen(worker, id(), say, context, System.nanoTime()));
        }
    }

    @Test
    @DisplayName("a worker stopped mid-stream commits only what it handled; another worker of the group handles the rest, none twice")
    void a_stopped_worker_leaves_its_uncommitted_records_to_the_group() {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        KafkaRuntime first = runtime("first", b -> {});
        first.register("slow", id -> new Slow("first", seen));
        first.subscribe(Subscription.byType("stream", "slow"));
        KafkaRuntime client = runtime("client", b -> {});
        int total = 60;
        for (int n = 0; n < total; n++) {
            client.publish(new Say("s1", n), new TopicId("stream", "s1"));
        }
        await(() -> seen.size() >= 5, "the first worker is under way");
        first.stop();
        int byFirst = seen.size();
        assertThat(byFirst).isLessThan(total);

        KafkaRuntime second = runtime("second", b -> {});
        second.register("slow", id -> new Slow("second", seen));
        second.subscribe(Subscription.byType("stream", "slow"));

        await(() -> seen.stream().filter(s -> s.worker().equals("second")).count() >= total - byFirst,
                "the second worker handles what the first left");
        List<Integer> ns = seen.stream().map(s -> s.say().n()).toList();
        assertThat(ns).containsExactlyElementsOf(IntStream.range(0, total).boxed().toList());
        assertThat(seen.subList(0, byFirst)).extracting(Seen::worker).containsOnly("first");
    }

    /** Counts what it handled, and passes a Say on to the other side until n reaches 0. */
    static final class Relay extends RoutedAgent {
        private final List<Seen> seen;
        int count;

        Relay(List<Seen> seen) {
            this.seen = seen;
        }

        @Handles
        void say(Say say, MessageContext context) {
            count++;
            seen.add(new Seen("worker", id(), say, context, System.nanoTime()));
            if (say.n() > 0) {
                String next = id().type().equals("ping") ? "to_pong" : "to_ping";
                publish(new Say(say.session(), say.n() - 1), new TopicId(next, id().key()));
            }
        }

        @Override
        public JsonNode saveState() {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("count", count);
        }

        @Override
        public void loadState(JsonNode state) {
            count = state.get("count").asInt();
        }
    }

    @Test
    @DisplayName("stopWhenIdle returns once a cascade of messages between agents is handled; saveState holds the worker's instances")
    void stop_when_idle_waits_for_a_cascade() {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        KafkaRuntime worker = runtime("worker", b -> {});
        worker.register("ping", id -> new Relay(seen));
        worker.register("pong", id -> new Relay(seen));
        worker.subscribe(Subscription.byType("to_ping", "ping"));
        worker.subscribe(Subscription.byType("to_pong", "pong"));

        worker.publish(new Say("s1", 6), new TopicId("to_ping", "s1"));
        await(() -> !seen.isEmpty(), "the cascade starts");
        worker.stopWhenIdle();

        assertThat(seen).extracting(x -> x.say().n()).containsExactly(6, 5, 4, 3, 2, 1, 0);
        assertThat(seen).extracting(x -> x.context().sender()).startsWith((AgentId) null)
                .contains(new AgentId("ping", "s1"), new AgentId("pong", "s1"));
        JsonNode state = worker.saveState();
        assertThat(state.get("agents")).hasSize(2);
        assertThat(state.get("agents").get(0).get("state").get("count").asInt()).isEqualTo(4);
        assertThat(state.get("agents").get(1).get("state").get("count").asInt()).isEqualTo(3);
    }

    // ---------------------------------------------------------------- helpers

    private KafkaRuntime runtime(String name, Consumer<KafkaRuntime.Builder> tune) {
        return runtime(name, group, tune);
    }

    /** A runtime of consumer group {@code inGroup}. */
    private KafkaRuntime runtime(String name, String inGroup, Consumer<KafkaRuntime.Builder> tune) {
        KafkaSettings settings = broker.settings(group + "-" + name, inGroup).withTopicPrefix(prefix);
        KafkaRuntime.Builder builder = KafkaRuntime.builder(settings)
                .codec(new MessageCodec(MessageTypes.of(Say.class, Lookup.class, Invoice.class, Child.class)))
                .partitions(4);
        tune.accept(builder);
        KafkaRuntime runtime = builder.build();
        runtimes.add(runtime);
        return runtime;
    }

    /** The first {@code count} records of {@code topic}, read from the start of every partition. */
    private static List<ConsumerRecord<String, byte[]>> records(String topic, int count) {
        Map<String, Object> config = broker.settings("reader", "unused").consumerConfig();
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
            // The topic may not exist yet: the dead-letter topic is made by the first dead letter's write,
            // which can come after the next message was handled.
            await(() -> !consumer.partitionsFor(topic).isEmpty(), "topic " + topic);
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= count;
            }, count + " records on " + topic);
        }
        return out;
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + WAIT + " for: " + what);
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
