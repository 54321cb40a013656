package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.items;
import static dev.baton.run.Script.reply;
import static dev.baton.run.Script.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.CallbackFailed;
import dev.baton.agent.Agent;
import dev.baton.model.Model;
import dev.baton.tool.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Events of agents used as tools")
class NestedEventsTest {

    record NoArgs() {}

    static List<RunEvent> own(List<RunEvent> events) {
        return events.stream().filter(e -> !(e instanceof RunEvent.Nested)).toList();
    }

    static List<RunEvent.Nested> nested(List<RunEvent> events) {
        return events.stream().filter(e -> e instanceof RunEvent.Nested).map(e -> (RunEvent.Nested) e).toList();
    }

    static List<String> types(List<? extends RunEvent> events) {
        return events.stream().map(e -> e.getClass().getSimpleName()).toList();
    }

    static Agent<Void> researcher() {
        return Agent.<Void>builder("researcher").model(new Script(reply("It is 42."))).build();
    }

    @Test
    @DisplayName("a streamed caller reads the nested run's events, text deltas included, tagged with the call and the path")
    void a_stream_carries_the_nested_events() {
        var ask = toolCall("research", "{\"input\":\"the answer?\"}");
        Agent<Void> triage = Agent.<Void>builder("triage").tools(researcher().asTool("research", "Research"))
                .model(new Script(items(ask), reply("The answer is 42."))).build();

        List<RunEvent> events = new ArrayList<>();
        RunResult result;
        try (RunStream stream = Runner.create().stream(triage, "the answer?", RunOptions.none())) {
            stream.forEach(events::add);
            result = stream.result();
        }

        List<RunEvent.Nested> nested = nested(events);
        assertThat(types(nested.stream().map(RunEvent.Nested::event).toList())).containsExactly("RunStarted", "AgentUpdated",
                "TurnStarted", "TextDelta", "TextDelta", "TextDelta", "ModelResponded", "MessageOutput", "RunCompleted");
        assertThat(nested).allSatisfy(n -> {
            assertThat(n.callId()).isEqualTo(ask.callId());
            assertThat(n.toolName()).isEqualTo("research");
            assertThat(n.path()).containsExactly("triage", "researcher");
            assertThat(n.runId()).isEqualTo(n.event().runId()).isNotEqualTo(result.runId());
            assertThat(n.seq()).isEqualTo(n.event().seq());
            assertThat(n.agent()).isEqualTo("researcher");
            assertThat(n.isTerminal()).isFalse();
        });
        assertThat(nested).extracting(RunEvent::seq).containsExactlyElementsOf(LongStream.range(0, nested.size()).boxed().toList());
        // Between the caller's call and the call's output, in the order they happened.
        int called = events.indexOf(events.stream().filter(e -> e instanceof RunEvent.ToolCalled).findFirst().orElseThrow());
        int finished = events.indexOf(events.stream().filter(e -> e instanceof RunEvent.ToolFinished).findFirst().orElseThrow());
        assertThat(events.subList(called + 1, finished)).containsExactlyElementsOf(nested);
        assertThat(events.get(events.size() - 1)).isInstanceOf(RunEvent.RunCompleted.class);
        assertThat(result.finalOutput()).isEqualTo("The answer is 42.");
    }

    @Test
    @DisplayName("a consumer that ignores nested events sees exactly the caller's own events: one run id, a gapless sequence, the run's items")
    void the_callers_own_events_are_unchanged() {
        Agent<Void> triage = Agent.<Void>builder("triage").tools(researcher().asTool("research", "Research"))
                .model(new Script(call("research", "{\"input\":\"q\"}"), reply("42"))).build();
        List<RunEvent> events = new ArrayList<>();

        RunResult result = Runner.create().run(triage, "q", RunOptions.<Void>none().withListener(events::add));

        List<RunEvent> own = own(events);
        assertThat(own).extracting(RunEvent::runId).containsOnly(result.runId());
        assertThat(own).extracting(RunEvent::seq).containsExactlyElementsOf(LongStream.range(0, own.size()).boxed().toList());
        assertThat(types(own)).containsExactly("RunStarted", "AgentUpdated", "TurnStarted", "ModelResponded", "ToolCalled",
                "ToolFinished", "TurnStarted", "ModelResponded", "MessageOutput", "RunCompleted");
        assertThat(StreamingRunTest.items(events)).isEqualTo(result.newItems());
        assertThat(nested(events)).as("a listener hears the nested run too (no deltas: the run is not streamed)")
                .extracting(n -> n.event().getClass().getSimpleName())
                .containsExactly("RunStarted", "AgentUpdated", "TurnStarted", "ModelResponded", "MessageOutput", "RunCompleted");
    }

    @Test
    @DisplayName("an event from two levels down arrives once, with the whole path of agents and the caller's own call id")
    void events_from_deeper_down_carry_the_whole_path() {
        Agent<Void> factChecker = Agent.<Void>builder("fact_checker").model(new Script(reply("Checked."))).build();
        Agent<Void> researcher = Agent.<Void>builder("researcher").tools(factChecker.asTool("check", "Check a fact"))
                .model(new Script(call("check", "{\"input\":\"42?\"}"), reply("It is 42."))).build();
        var ask = toolCall("research", "{\"input\":\"q\"}");
        Agent<Void> triage = Agent.<Void>builder("triage").tools(researcher.asTool("research", "Research"))
                .model(new Script(items(ask), reply("42"))).build();
        List<RunEvent> events = new ArrayList<>();

        Runner.create().run(triage, "q", RunOptions.<Void>none().withListener(events::add));

        List<RunEvent.Nested> deepest = nested(events).stream().filter(n -> n.path().size() == 3).toList();
        assertThat(deepest).isNotEmpty().allSatisfy(n -> {
            assertThat(n.path()).containsExactly("triage", "researcher", "fact_checker");
            assertThat(n.callId()).isEqualTo(ask.callId());
            assertThat(n.toolName()).isEqualTo("research");
            assertThat(n.event()).isNotInstanceOf(RunEvent.Nested.class);
        });
        assertThat(deepest).extracting(n -> n.event().getClass().getSimpleName()).contains("RunStarted", "MessageOutput", "RunCompleted");
        assertThat(nested(events)).filteredOn(n -> n.path().size() == 2).extracting(n -> n.event().getClass().getSimpleName())
                .contains("ToolCalled", "ToolFinished");
        assertThat(nested(events).stream().map(RunEvent::runId).distinct()).as("the researcher's run and the fact checker's").hasSize(2);
    }

    /** A model that answers only once {@code all} of its kind are in their model call at the same time. */
    static Model together(CountDownLatch all, String text) {
        return request -> {
            all.countDown();
            try {
                if (!all.await(5, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the nested runs did not run concurrently");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return Script.response(dev.baton.item.Message.assistant(text));
        };
    }

    @Test
    @DisplayName("nested runs of concurrent calls reach the listener one event at a time, each run's events in its own order")
    void concurrent_nested_runs_are_delivered_in_order_and_one_at_a_time() {
        CountDownLatch both = new CountDownLatch(2);
        Agent<Void> billing = Agent.<Void>builder("billing").model(together(both, "No open invoices.")).build();
        Agent<Void> shipping = Agent.<Void>builder("shipping").model(together(both, "Parcel delivered.")).build();
        var askBilling = toolCall("ask_billing", "{\"input\":\"invoices?\"}");
        var askShipping = toolCall("ask_shipping", "{\"input\":\"parcel?\"}");
        Agent<Void> triage = Agent.<Void>builder("triage")
                .tools(billing.asTool("ask_billing", "Billing"), shipping.asTool("ask_shipping", "Shipping"))
                .model(new Script(items(askBilling, askShipping), reply("All good."))).build();
        List<RunEvent> events = new CopyOnWriteArrayList<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();

        RunResult result = Runner.create().run(triage, "status?", RunOptions.<Void>none().withListener(e -> {
            if (inFlight.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            try {
                Thread.sleep(2); // widens the window in which an unserialised delivery would overlap
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            events.add(e);
            inFlight.decrementAndGet();
        }));

        assertThat(result.finalOutput()).isEqualTo("All good.");
        assertThat(overlaps).as("listener calls that overlapped").hasValue(0);
        Map<String, List<RunEvent.Nested>> byRun = nested(events).stream()
                .collect(Collectors.groupingBy(RunEvent::runId, java.util.LinkedHashMap::new, Collectors.toList()));
        assertThat(byRun).hasSize(2);
        assertThat(byRun.values()).allSatisfy(run -> {
            assertThat(run).extracting(RunEvent::seq).containsExactlyElementsOf(LongStream.range(0, run.size()).boxed().toList());
            assertThat(run.get(0).event()).isInstanceOf(RunEvent.RunStarted.class);
            assertThat(run.get(run.size() - 1).event()).isInstanceOf(RunEvent.RunCompleted.class);
            assertThat(run).extracting(RunEvent.Nested::callId).containsOnly(run.get(0).callId());
        });
        assertThat(byRun.values()).extracting(run -> run.get(0).callId() + " " + run.get(0).path())
                .containsExactlyInAnyOrder(askBilling.callId() + " [triage, billing]", askShipping.callId() + " [triage, shipping]");
    }

    @Test
    @DisplayName("a listener that throws on a nested event fails the caller's run with CallbackFailed, as on its own events")
    void a_listener_failing_on_a_nested_event_fails_the_caller() {
        Script callerModel = new Script(call("research", "{\"input\":\"q\"}"), reply("42"));
        Agent<Void> triage = Agent.<Void>builder("triage").tools(researcher().asTool("research", "Research")).model(callerModel).build();
        List<RunEvent> events = new ArrayList<>();

        CallbackFailed failure = catchThrowableOfType(CallbackFailed.class, () -> Runner.create().run(triage, "q",
                RunOptions.<Void>none().withListener(e -> {
                    events.add(e);
                    if (e instanceof RunEvent.Nested n && n.event() instanceof RunEvent.MessageOutput) {
                        throw new IllegalStateException("display is gone");
                    }
                })));

        assertThat(failure).isNotNull().hasMessageContaining("listener").hasRootCauseMessage("display is gone");
        assertThat(failure.runId()).isEqualTo(events.get(0).runId());
        assertThat(callerModel.calls()).as("the calling model does not read it as a tool error").isEqualTo(1);
        assertThat(events.get(events.size() - 1)).isInstanceOf(RunEvent.RunFailed.class);
        assertThat(nested(events)).extracting(n -> n.event().getClass().getSimpleName()).as("nothing after the refused event")
                .endsWith("MessageOutput");
    }
}
