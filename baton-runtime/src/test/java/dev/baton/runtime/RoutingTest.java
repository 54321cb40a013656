package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Routing: subscriptions map topics to agent instances")
class RoutingTest {

    record Note(String text) {}

    /** Remembers, in a shared list, which instance received which note. */
    static final class Recorder extends RoutedAgent {
        private final List<String> received;

        Recorder(List<String> received) {
            this.received = received;
        }

        @Handles
        void note(Note note, MessageContext context) {
            received.add(id() + " <- " + note.text() + " on " + context.topic());
        }
    }

    private final InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();
    private final InProcessRuntime runtime = InProcessRuntime.builder().deadLetters(deadLetters).build();
    private final List<String> received = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        runtime.stop();
    }

    @Test
    @DisplayName("a type subscription delivers to the agent type it names, keyed by the topic's source")
    void type_subscription_keys_by_source() {
        runtime.register("triage_agent", id -> new Recorder(received));
        runtime.subscribe(Subscription.byType("triage", "triage_agent"));

        runtime.publish(new Note("hello"), new TopicId("triage", "session-1"));
        runtime.publish(new Note("other"), new TopicId("billing", "session-1"));
        runtime.stopWhenIdle();

        assertThat(received).containsExactly("triage_agent/session-1 <- hello on triage/session-1");
        assertThat(deadLetters.list()).extracting(DeadLetter::reason).containsExactly(DeliveryFailure.NO_SUBSCRIBER);
    }

    @Test
    @DisplayName("a prefix subscription delivers every topic type starting with the prefix")
    void prefix_subscription_matches_topic_families() {
        runtime.register("auditor", id -> new Recorder(received));
        runtime.subscribe(Subscription.byPrefix("support.", "auditor"));

        runtime.publish(new Note("a"), new TopicId("support.billing", "s1"));
        runtime.publish(new Note("b"), new TopicId("support.refunds", "s2"));
        runtime.publish(new Note("c"), new TopicId("sales", "s3"));
        runtime.stopWhenIdle();

        assertThat(received).containsExactlyInAnyOrder(
                "auditor/s1 <- a on support.billing/s1", "auditor/s2 <- b on support.refunds/s2");
        assertThat(deadLetters.list()).extracting(d -> d.envelope().topic()).containsExactly(new TopicId("sales", "s3"));
    }

    @Test
    @DisplayName("instances are created on their first message, once per key")
    void lazy_creation_per_key() {
        ConcurrentHashMap<AgentId, AtomicInteger> created = new ConcurrentHashMap<>();
        runtime.register("triage_agent", id -> {
            created.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            return new Recorder(received);
        });
        runtime.subscribe(Subscription.byType("triage", "triage_agent"));
        assertThat(created).as("nothing is created before a message").isEmpty();

        for (int i = 0; i < 3; i++) {
            runtime.publish(new Note("n" + i), new TopicId("triage", "s1"));
            runtime.publish(new Note("n" + i), new TopicId("triage", "s2"));
        }
        runtime.stopWhenIdle();

        assertThat(created).containsOnlyKeys(new AgentId("triage_agent", "s1"), new AgentId("triage_agent", "s2"));
        assertThat(created.values()).allSatisfy(count -> assertThat(count).hasValue(1));
        assertThat(runtime.instanceCount()).isEqualTo(2);
        assertThat(received).hasSize(6);
    }

    @Test
    @DisplayName("a publish reaches every subscribed agent type, and an agent matched by two subscriptions once")
    void fan_out_and_dedupe() {
        runtime.register("triage_agent", id -> new Recorder(received));
        runtime.register("auditor", id -> new Recorder(received));
        runtime.subscribe(Subscription.byType("support.triage", "triage_agent"));
        runtime.subscribe(Subscription.byType("support.triage", "auditor"));
        runtime.subscribe(Subscription.byPrefix("support.", "auditor"));
        runtime.subscribe(Subscription.byPrefix("support.", "auditor"));

        runtime.publish(new Note("hi"), new TopicId("support.triage", "s1"));
        runtime.stopWhenIdle();

        assertThat(received).containsExactlyInAnyOrder(
                "triage_agent/s1 <- hi on support.triage/s1", "auditor/s1 <- hi on support.triage/s1");
    }

    @Test
    @DisplayName("an unsubscribed topic no longer reaches the agent")
    void unsubscribe() {
        runtime.register("triage_agent", id -> new Recorder(received));
        Subscription subscription = Subscription.byType("triage", "triage_agent");
        runtime.subscribe(subscription);
        runtime.unsubscribe(subscription);

        runtime.publish(new Note("hi"), new TopicId("triage", "s1"));
        runtime.stopWhenIdle();

        assertThat(received).isEmpty();
        assertThat(deadLetters.list()).extracting(DeadLetter::reason).containsExactly(DeliveryFailure.NO_SUBSCRIBER);
    }

    @Test
    @DisplayName("ids and subscriptions refuse names that cannot be topic names")
    void names_are_checked() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AgentId("triage agent", "k"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agent type");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TopicId("", "s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic type");
        assertThat(new AgentId("triage", "s/1")).hasToString("triage/s/1");
    }
}
