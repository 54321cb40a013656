package dev.baton.durable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.RunEvent;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import dev.baton.tool.Tool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("Events of agents used as tools in durable runs")
@Timeout(30)
class NestedEventsDurableTest {
    private final InMemoryRunStore store = new InMemoryRunStore();
    private final List<DurableWorker> runners = new ArrayList<>();

    record NoArgs() {}

    @AfterEach
    void close() {
        runners.forEach(DurableWorker::close);
    }

    /** Triage asks the researcher (an agent used as a tool), then files the answer, then replies. */
    static final class Desk {
        final CountDownLatch inFiling = new CountDownLatch(1);
        volatile CountDownLatch blockFiling;

        Agent<Void> triage() {
            Agent<Void> researcher = Agent.<Void>builder("researcher")
                    .model(request -> new ModelResponse(List.of(Message.assistant("It is 42.")), Usage.of(5, 2)))
                    .build();
            Tool<Void> file = Tool.<Void, NoArgs>of("file_answer", "File the answer.", NoArgs.class, (ctx, args) -> {
                CountDownLatch block = blockFiling;
                if (block != null) {
                    inFiling.countDown();
                    block.await();
                }
                return "filed";
            });
            return Agent.<Void>builder("triage").tools(researcher.asTool("research", "Research"), file).build();
        }

        Model model() {
            return request -> {
                Item last = request.lastInput();
                List<Item> out;
                if (last instanceof Message) {
                    out = List.of(new ToolCall("call_research", "research", "{\"input\":\"the answer?\"}"));
                } else if (last instanceof ToolOutput o && o.callId().equals("call_research")) {
                    out = List.of(new ToolCall("call_file", "file_answer", "{}"));
                } else {
                    out = List.of(Message.assistant("Filed: 42."));
                }
                return new ModelResponse(out, Usage.of(10, 5));
            };
        }
    }

    private DurableWorker durable(Desk desk) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(desk.model()).build());
        DurableWorker d = DurableWorker.builder(runner, store).agents(desk.triage()).lease(Duration.ofMillis(300))
                .pollInterval(Duration.ofMillis(20)).takeOver(false).build().start();
        runners.add(d);
        return d;
    }

    @Test
    @DisplayName("the listener hears the nested run live, while the journal keeps the run's own events, the same after a replay")
    void nested_events_are_live_only_and_a_replay_keeps_the_journal_consistent() throws Exception {
        Desk first = new Desk();
        first.blockFiling = new CountDownLatch(1);
        DurableWorker dying = durable(first);
        List<RunEvent> heard = new CopyOnWriteArrayList<>();
        RunHandle run = dying.startRun(first.triage(), "the answer?", RunOptions.<Void>none().withListener(heard::add));
        assertThat(first.inFiling.await(5, TimeUnit.SECONDS)).isTrue();
        dying.close(); // the process goes away after the research, in the middle of filing

        DurableWorker survivor = durable(new Desk());
        assertThat(survivor.resumeIncomplete()).extracting(RunHandle::id).containsExactly(run.id());
        RunRecord done = survivor.attach(run.id()).result();

        assertThat(done.finalOutput()).isEqualTo("\"Filed: 42.\"");
        assertThat(heard).filteredOn(e -> e instanceof RunEvent.Nested)
                .extracting(e -> ((RunEvent.Nested) e).event().getClass().getSimpleName())
                .containsExactly("RunStarted", "AgentUpdated", "TurnStarted", "ModelResponded", "MessageOutput", "RunCompleted");
        List<RecordedEvent> journal = survivor.client().history(run.id()).events();
        assertThat(journal).extracting(RecordedEvent::runId).containsOnly(run.id());
        assertThat(journal).extracting(RecordedEvent::seq)
                .containsExactlyElementsOf(LongStream.range(0, journal.size()).boxed().toList());
        assertThat(journal).extracting(RecordedEvent::type).containsExactly("RunStarted", "AgentUpdated",
                "TurnStarted", "ModelResponded", "ToolCalled", "ToolFinished",
                "TurnStarted", "ModelResponded", "ToolCalled", "ToolFinished",
                "TurnStarted", "ModelResponded", "MessageOutput", "RunCompleted");
    }

    @Test
    @DisplayName("a nested event encodes as the nested event's run, sequence and agent, with the call, the path and the event's own fields")
    void a_nested_event_encodes_with_its_call_path_and_event() {
        java.time.Instant at = java.time.Instant.parse("2025-01-02T03:04:05Z");
        RunEvent.Nested nested = new RunEvent.Nested("call_1", "research", List.of("triage", "researcher"),
                new RunEvent.TextDelta("run_nested", 3, "researcher", at, "It is"));

        RecordedEvent recorded = EventCodec.record(nested);

        assertThat(recorded.runId()).isEqualTo("run_nested");
        assertThat(recorded.seq()).isEqualTo(3);
        assertThat(recorded.type()).isEqualTo("Nested");
        assertThat(recorded.agent()).isEqualTo("researcher");
        assertThat(recorded.at()).isEqualTo(at);
        assertThat(recorded.data()).isEqualTo("{\"callId\":\"call_1\",\"toolName\":\"research\",\"path\":[\"triage\",\"researcher\"],"
                + "\"eventType\":\"TextDelta\",\"event\":{\"delta\":\"It is\"}}");
    }
}
