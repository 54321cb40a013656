package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.baton.runtime.handoff.SeedDesk;
import dev.baton.runtime.handoff.Transcript;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.human.HumanQueue;
import dev.baton.item.Item;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.jdbc.SqliteRunStore;
import dev.baton.testing.ScriptedModel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seed 001's console conversation on Kafka: the desk's agents on two worker runtimes of one
 * consumer group, their turns journaled in one shared SQLite file; the customer and the operator
 * on a console runtime of its own group; the manager answers the human agent from outside.
 */
@DisplayName("The seed's support conversation on Kafka")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaSeedConversationTest extends DeskOnKafka {

    private static final String SESSION = "7a568cf5";

    @Test
    @DisplayName("two workers host the desk, a console hosts the customer and the operator: the seed's agents, tools and arguments")
    void the_seed_conversation_plays_through_on_two_workers_and_a_console() throws Exception {
        SeedDesk seed = SeedDesk.create();
        ScriptedModel model = SeedDesk.model();
        processes = new DeskProcesses(broker, "seed.", dir.resolve("desk.db"), seed, model, Duration.ofSeconds(15));
        DeskProcesses.Worker first = processes.worker("worker-1");
        DeskProcesses.Worker second = processes.worker("worker-2");
        DeskProcesses.await(() -> !first.runtime().assignment().isEmpty() && !second.runtime().assignment().isEmpty(),
                Duration.ofSeconds(60), "both workers have partitions of the desk's topics");
        HumanQueue people = new HumanQueue();
        Transcript customer = new Transcript(SeedDesk.CUSTOMER);
        DeskProcesses.Console console = processes.console(customer, people);
        SeedDesk.manager(people, open, SeedDesk.MANAGER);

        console.desk().login(console.runtime(), SESSION);

        assertThat(customer.awaitEnd(Duration.ofSeconds(90))).as("the customer left; so far: %s", customer.said).isTrue();
        assertThat(customer.said).containsExactlyElementsOf(SeedDesk.TRANSCRIPT);
        List<Item> conversation = console.sessions().items(SESSION, 0);
        assertThat(conversation).filteredOn(ToolCall.class::isInstance).map(i -> (ToolCall) i)
                .extracting(ToolCall::name, ToolCall::arguments)
                .containsExactlyElementsOf(SeedDesk.TOOL_CALLS.stream().map(c -> tuple(c.get(0), c.get(1))).toList());
        assertThat(conversation).filteredOn(ToolOutput.class::isInstance).map(i -> ((ToolOutput) i).output())
                .contains("item_132612938", "success");
        assertThat(console.sessions().activeAgent(SESSION)).as("the human agent holds the conversation").contains("human_agent");
        assertThat(model.requestsFor("triage_agent")).hasSize(3);
        model.assertAllStepsUsed();
        assertThat(seed.lookups).as("look_up_item calls").hasValue(1);
        assertThat(seed.refunds).as("execute_refund calls").hasValue(1);
        try (SqliteRunStore runs = SqliteRunStore.open(processes.db())) {
            List<RunRecord> turns = runs.listRuns(RunQuery.all());
            assertThat(turns).as("each turn is a durable run of the desk in the shared store").allSatisfy(r -> {
                assertThat(r.id()).startsWith("turn_");
                assertThat(r.application()).isEqualTo(DeskProcesses.DESK);
                assertThat(r.sessionId()).isEqualTo(SESSION);
                assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
            });
            assertThat(turns).extracting(RunRecord::startAgent).containsExactlyInAnyOrder(
                    "triage_agent", "triage_agent", "triage_agent",
                    "issues_and_repairs", "issues_and_repairs", "issues_and_repairs", "issues_and_repairs", "issues_and_repairs",
                    "human_agent", "human_agent");
        }
        assertThat(first.deadLetters().list()).as("dead letters of worker 1").isEmpty();
        assertThat(second.deadLetters().list()).as("dead letters of worker 2").isEmpty();
        assertThat(console.deadLetters().list()).as("dead letters of the console").isEmpty();
    }
}
