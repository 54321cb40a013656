package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.human.HumanReply;
import dev.baton.human.HumanRequest;
import dev.baton.runtime.handoff.RuntimeHumans;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two consoles on one broker, each in a consumer group of its own and each the operator of its own
 * session: every question reaches both, and only the console of the question's session answers it.
 */
@DisplayName("Operators of several consoles on one broker")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaOperatorsTest {
    private static KafkaBroker broker;
    private final List<KafkaRuntime> runtimes = new ArrayList<>();

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

    @AfterEach
    void stop() {
        runtimes.forEach(KafkaRuntime::stop);
    }

    private KafkaRuntime runtime(String name, String group) {
        KafkaRuntime runtime = KafkaRuntime.builder(broker.settings("operators-" + name, group).withTopicPrefix("ops.")).build();
        runtimes.add(runtime);
        return runtime;
    }

    @Test
    @DisplayName("the human agent's question is answered by the person at its session's console, not by another console that got it first")
    void each_console_answers_the_questions_of_its_own_session() {
        List<String> askedAtB = new CopyOnWriteArrayList<>();
        KafkaRuntime consoleB = runtime("console-b", "baton-chat-s-b");
        KafkaRuntime consoleA = runtime("console-a", "baton-chat-s-a");
        // The console of session s-b would answer at once; the person at s-a's console takes a moment.
        RuntimeHumans.hostOperator(consoleB, request -> {
            askedAtB.add(request.sessionId());
            return Optional.of(HumanReply.say("Console B here."));
        }, "s-b"::equals);
        RuntimeHumans.hostOperator(consoleA, request -> {
            sleep(Duration.ofMillis(500));
            return Optional.of(HumanReply.say("Dana, at console A, for " + request.sessionId() + "."));
        }, "s-a"::equals);
        RuntimeHumans humanAgent = new RuntimeHumans().bind(runtime("worker", "baton-desk"));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while ((consoleA.assignment().isEmpty() || consoleB.assignment().isEmpty()) && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(50)); // both consoles read the operator's topic before the question is asked
        }
        assertThat(consoleA.assignment()).isNotEmpty();
        assertThat(consoleB.assignment()).isNotEmpty();

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
}
