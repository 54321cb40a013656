package dev.baton.kafka;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.runtime.handoff.SeedDesk;
import dev.baton.runtime.handoff.Transcript;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.human.HumanQueue;
import dev.baton.runtime.DeadLetter;
import dev.baton.runtime.DeliveryFailure;
import dev.baton.runtime.MessageCodec;
import dev.baton.runtime.MessageType;
import dev.baton.runtime.MessageTypes;
import dev.baton.runtime.TopicId;
import dev.baton.testing.ScriptedModel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seed 001's desk on Kafka when things go wrong: records on an agent's topic that are no message
 * (garbage bytes, a type nobody knows), and the broker killed and restarted mid-conversation.
 */
@DisplayName("The seed's desk on Kafka: bad input and a broker that goes away")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class KafkaDeskFailuresTest extends DeskOnKafka {

    private static final ObjectMapper JSON = new ObjectMapper();
    @MessageType("acme.Nonsense")
    record Nonsense(String what) {}

    @Test
    @DisplayName("garbage and an unknown type on triage's topic go to the dead-letter topic with the error; another session completes")
    void unreadable_records_are_dead_lettered_and_another_session_completes() throws Exception {
        SeedDesk seed = SeedDesk.create();
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage_agent", handoffTo("issues_and_repairs"))
                .forAgent("issues_and_repairs", callTool("look_up_item", "{\"search_query\":\"shoes\"}"),
                        reply("Your shoes are item_132612938; I can refund them."));
        processes = new DeskProcesses(broker, "bad.", dir.resolve("desk.db"), seed, model, Duration.ofSeconds(15));
        DeskProcesses.Worker first = processes.worker("worker-1");
        DeskProcesses.Worker second = processes.worker("worker-2");
        TopicNames topics = processes.settings("probe", "unused").topicNames();
        String triage = topics.topicFor("triage_agent");
        MessageCodec strangers = new MessageCodec(MessageTypes.of(Nonsense.class));
        String envelopeOfUnknownType = strangers.toJson(
                strangers.encode(new Nonsense("?"), "nonsense-1", null, new TopicId("triage_agent", "bad-session"), null));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(processes.settings("vandal", "unused").producerConfig())) {
            producer.send(new ProducerRecord<>(triage, "bad-session", new byte[] {(byte) 0xff, 0x00, 0x13, '{'})).get();
            producer.send(new ProducerRecord<>(triage, "bad-session", envelopeOfUnknownType.getBytes(StandardCharsets.UTF_8))).get();
        }
        HumanQueue people = new HumanQueue();
        Transcript customer = new Transcript(List.of("My shoes are too small, I want a refund", "exit"));
        DeskProcesses.Console console = processes.console(customer, people);

        console.desk().login(console.runtime(), "good-session");

        assertThat(customer.awaitEnd(Duration.ofSeconds(60))).as("the customer left; so far: %s", customer.said).isTrue();
        assertThat(customer.said).containsExactly("user: My shoes are too small, I want a refund",
                "issues_and_repairs: Your shoes are item_132612938; I can refund them.", "(session ended)");
        List<JsonNode> letters = deadLetters(topics.deadLetterTopic(), 2);
        assertThat(letters).extracting(l -> l.path("reason").asText()).containsOnly(DeliveryFailure.UNREADABLE.name());
        assertThat(letters).anySatisfy(l -> {
            assertThat(l.path("detail").asText()).contains("is not a message envelope").contains(triage);
            assertThat(l.path("rawBase64").asText()).isEqualTo("/wATew==");
            assertThat(l.path("source").path("topic").asText()).isEqualTo(triage);
        });
        assertThat(letters).anySatisfy(l -> {
            assertThat(l.path("detail").asText()).contains("unknown message type 'acme.Nonsense'").contains("nonsense-1");
            assertThat(l.path("envelope").path("topic").path("source").asText()).isEqualTo("bad-session");
        });
        List<DeadLetter> kept = new ArrayList<>(first.deadLetters().list());
        kept.addAll(second.deadLetters().list());
        assertThat(kept).as("the worker that read them keeps them too").hasSize(2)
                .allSatisfy(l -> assertThat(l.reason()).isEqualTo(DeliveryFailure.UNREADABLE));
        model.assertAllStepsUsed();
    }

    @Test
    @DisplayName("the broker killed and restarted mid-conversation: a clear error while it is down, and the conversation completes")
    void the_broker_killed_and_restarted_mid_conversation() throws Exception {
        SeedDesk seed = SeedDesk.create();
        ScriptedModel model = SeedDesk.model();
        processes = new DeskProcesses(broker, "crash.", dir.resolve("desk.db"), seed, model, Duration.ofSeconds(60));
        processes.worker("worker-1");
        processes.worker("worker-2");
        HumanQueue people = new HumanQueue();
        Transcript customer = new Transcript(SeedDesk.CUSTOMER);
        DeskProcesses.Console console = processes.console(customer, people);
        SeedDesk.manager(people, open, SeedDesk.MANAGER);

        console.desk().login(console.runtime(), "7a568cf5");
        DeskProcesses.await(() -> customer.said.size() >= 4, Duration.ofSeconds(60), "the conversation is under way");
        broker.kill();
        assertThatThrownBy(() -> KafkaRuntime.builder(broker.settings("late", "late").withTimeout(Duration.ofSeconds(3))).build())
                .isInstanceOf(KafkaUnavailableException.class).hasMessageContaining(broker.bootstrapServers());
        broker.restart();

        assertThat(customer.awaitEnd(Duration.ofSeconds(90))).as("the customer left; so far: %s", customer.said).isTrue();
        assertThat(customer.said).containsExactlyElementsOf(SeedDesk.TRANSCRIPT);
        assertThat(seed.lookups).as("look_up_item calls").hasValue(1);
        assertThat(seed.refunds).as("execute_refund calls").hasValue(1);
        model.assertAllStepsUsed();
    }

    /** The first {@code count} records of the dead-letter topic, as JSON. */
    private List<JsonNode> deadLetters(String topic, int count) throws Exception {
        Map<String, Object> config = processes.settings("dead-letter-reader", "dead-letter-reader").consumerConfig();
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.StringDeserializer.class);
        List<JsonNode> letters = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (letters.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    letters.add(JSON.readTree(record.value()));
                }
            }
        }
        return letters;
    }
}
