package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.handoff;
import static dev.baton.run.Script.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.MaxTurnsExceeded;
import dev.baton.RunCancelled;
import dev.baton.agent.Agent;
import dev.baton.item.RunItem;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.tool.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Streaming, async runs and events")
class StreamingRunTest {

    record GetInvoice(String invoiceId) {}

    static Agent<Void> desk() {
        Tool<Void> getInvoice = Tool.of("get_invoice", "", GetInvoice.class, (ctx, a) -> "{\"amount\":99}");
        Agent<Void> billing = Agent.<Void>builder("billing_specialist").tools(getInvoice).build();
        return Agent.<Void>builder("support_triage").handoffs(billing).build();
    }

    static Script deskModel() {
        return new Script(handoff("billing_specialist"), call("get_invoice", "{\"invoice_id\":\"INV-8821\"}"),
                reply("Refund initiated for INV-8821."));
    }

    static List<RunItem> items(List<RunEvent> events) {
        return events.stream().filter(e -> e instanceof RunEvent.ItemEvent).map(e -> ((RunEvent.ItemEvent) e).item()).toList();
    }

    @Test
    void a_streamed_run_yields_exactly_the_items_of_the_same_run_not_streamed() {
        List<RunEvent> heard = new ArrayList<>();
        RunResult plain = Runner.create().run(desk(), "charged twice", RunOptions.<Void>none().withModel(deskModel()).withListener(heard::add));

        List<RunEvent> streamed = new ArrayList<>();
        RunResult streamedResult;
        try (RunStream stream = Runner.create().stream(desk(), "charged twice", RunOptions.<Void>none().withModel(deskModel()))) {
            stream.forEach(streamed::add);
            streamedResult = stream.result();
        }

        assertThat(items(streamed)).usingRecursiveFieldByFieldElementComparatorIgnoringFields("call.callId", "output.callId")
                .hasSameSizeAs(plain.newItems());
        assertThat(items(streamed)).extracting(i -> i.getClass().getSimpleName())
                .containsExactlyElementsOf(plain.newItems().stream().map(i -> i.getClass().getSimpleName()).toList());
        assertThat(items(streamed)).isEqualTo(streamedResult.newItems());
        assertThat(items(heard)).isEqualTo(plain.newItems());
        assertThat(streamedResult.finalOutput()).isEqualTo(plain.finalOutput());
    }

    @Test
    void every_event_carries_the_run_id_and_a_gapless_sequence_number() {
        try (RunStream stream = Runner.create().stream(desk(), "charged twice", RunOptions.<Void>none().withModel(deskModel()))) {
            List<RunEvent> events = new ArrayList<>();
            stream.forEach(events::add);
            String runId = stream.result().runId();

            assertThat(events).extracting(RunEvent::runId).containsOnly(runId);
            assertThat(events).extracting(RunEvent::seq).containsExactlyElementsOf(
                    java.util.stream.LongStream.range(0, events.size()).boxed().toList());
            assertThat(events.get(0)).isInstanceOf(RunEvent.RunStarted.class);
            assertThat(events.get(events.size() - 1)).isInstanceOf(RunEvent.RunCompleted.class);
            assertThat(events).filteredOn(e -> e instanceof RunEvent.AgentUpdated).extracting(RunEvent::agent)
                    .containsExactly("support_triage", "billing_specialist");
            assertThat(events).allSatisfy(e -> assertThat(e.at()).isNotNull());
        }
    }

    @Test
    void text_deltas_arrive_before_the_message_and_add_up_to_it() {
        try (RunStream stream = Runner.create().stream(desk(), "hi", RunOptions.<Void>none().withModel(deskModel()))) {
            StringBuilder text = new StringBuilder();
            String message = null;
            for (RunEvent e : stream) {
                if (e instanceof RunEvent.TextDelta d) {
                    assertThat(message).isNull();
                    text.append(d.delta());
                } else if (e instanceof RunEvent.MessageOutput m) {
                    message = m.item().text();
                }
            }
            assertThat(text.toString()).isEqualTo(message).isEqualTo("Refund initiated for INV-8821.");
        }
    }

    @Test
    void a_failed_run_ends_its_stream_with_run_failed_and_result_rethrows() {
        Script loop = new Script(call("get_invoice", "{\"invoice_id\":\"A\"}"), call("get_invoice", "{\"invoice_id\":\"A\"}"));
        Agent<Void> billing = desk().handoffs().get(0).target().resolve();
        try (RunStream stream = Runner.create().stream(billing, "x", RunOptions.<Void>none().withModel(loop).withMaxTurns(2))) {
            List<RunEvent> events = new ArrayList<>();
            stream.forEach(events::add);
            assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(RunEvent.RunFailed.class,
                    f -> assertThat(f.error()).isInstanceOf(MaxTurnsExceeded.class));
            assertThatThrownBy(stream::result).isInstanceOfSatisfying(MaxTurnsExceeded.class,
                    e -> assertThat(e.items()).hasSize(4));
        }
    }

    /** A model that blocks until released, counting its calls. */
    static final class Gate implements Model {
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public ModelResponse respond(ModelRequest request) {
            calls.incrementAndGet();
            entered.countDown();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted", e);
            }
            return Script.response(dev.baton.item.Message.assistant("late"));
        }
    }

    @Test
    void closing_the_stream_stops_the_run() throws Exception {
        Gate gate = new Gate();
        RunStream stream = Runner.create().stream(desk(), "hi", RunOptions.<Void>none().withModel(gate));
        assertThat(gate.entered.await(5, TimeUnit.SECONDS)).isTrue();

        stream.close();

        assertThatThrownBy(stream::result).isInstanceOf(RunCancelled.class);
        assertThat(gate.calls.get()).isEqualTo(1);
    }

    @Test
    void cancelling_the_future_of_an_async_run_stops_it() throws Exception {
        Gate gate = new Gate();
        CompletableFuture<RunResult> future = Runner.create().runAsync(desk(), "hi", RunOptions.<Void>none().withModel(gate));
        assertThat(gate.entered.await(5, TimeUnit.SECONDS)).isTrue();

        future.cancel(true);

        assertThatThrownBy(future::join).isInstanceOf(CancellationException.class);
        Thread.sleep(50);
        assertThat(gate.calls.get()).isEqualTo(1);
    }

    @Test
    void an_async_run_completes_with_the_same_result_as_a_blocking_one() {
        RunResult result = Runner.create().runAsync(desk(), "hi", RunOptions.<Void>none().withModel(deskModel())).join();

        assertThat(result.lastAgent()).isEqualTo("billing_specialist");
        assertThat(result.finalOutput()).isEqualTo("Refund initiated for INV-8821.");
    }

    @Test
    void the_publisher_adapter_delivers_every_event_honouring_demand() throws Exception {
        RunStream stream = Runner.create().stream(desk(), "hi", RunOptions.<Void>none().withModel(deskModel()));
        List<RunEvent> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        stream.publisher().subscribe(new Flow.Subscriber<>() {
            Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(RunEvent item) {
                received.add(item);
                subscription.request(1);
            }

            @Override
            public void onError(Throwable t) {
                done.countDown();
            }

            @Override
            public void onComplete() {
                done.countDown();
            }
        });

        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(received.get(received.size() - 1)).isInstanceOf(RunEvent.RunCompleted.class);
        assertThat(items(received)).isEqualTo(stream.result().newItems());
    }
}
