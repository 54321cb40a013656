package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.CallbackFailed;
import dev.baton.InputGuardrailTripwireTriggered;
import dev.baton.OutputGuardrailTripwireTriggered;
import dev.baton.ToolGuardrailTripwireTriggered;
import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailOutput;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.guardrail.InputGuardrail;
import dev.baton.guardrail.OutputGuardrail;
import dev.baton.guardrail.ToolGuardrail;
import dev.baton.item.Message;
import dev.baton.item.RunItem;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.tool.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Guardrails")
class GuardrailRunTest {

    record Refund(int amount) {}

    static InputGuardrail<Void> offTopic() {
        return InputGuardrail.of("off_topic", (ctx, agent, input) -> {
            String text = ((Message) input.get(input.size() - 1)).text();
            return text.contains("poem") ? GuardrailOutput.trip("not a support request") : GuardrailOutput.pass("support");
        });
    }

    @Test
    void a_passing_input_guardrail_is_recorded_in_the_result_and_the_events() {
        Agent<Void> agent = Agent.<Void>builder("triage").inputGuardrails(offTopic()).build();
        List<RunEvent> events = new ArrayList<>();

        RunResult result = Runner.create().run(agent, "my router is broken",
                RunOptions.<Void>none().withModel(new Script(reply("Let me help."))).withListener(events::add));

        assertThat(result.guardrailResults()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("off_topic");
            assertThat(r.kind()).isEqualTo(GuardrailResult.Kind.INPUT);
            assertThat(r.tripwireTriggered()).isFalse();
            assertThat(r.info()).isEqualTo("support");
        });
        assertThat(events).filteredOn(e -> e instanceof RunEvent.GuardrailChecked).hasSize(1);
    }

    /** A model that blocks until interrupted (or 30 s), counting calls, so a test can see cancellation. */
    static final class SlowModel implements Model {
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicBoolean interrupted = new AtomicBoolean();

        @Override
        public ModelResponse respond(ModelRequest request) {
            entered.countDown();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw new IllegalStateException("interrupted");
            }
            return Script.response(dev.baton.item.Message.assistant("late"));
        }
    }

    @Test
    void a_parallel_guardrail_runs_beside_the_model_call_and_cancels_it_when_it_trips() throws Exception {
        SlowModel model = new SlowModel();
        InputGuardrail<Void> slowTrip = InputGuardrail.of("slow_trip", (ctx, agent, input) -> {
            try {
                // Trips only once the model call is under way: the two really run side by side.
                model.entered.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return GuardrailOutput.trip("abusive");
        });
        Agent<Void> agent = Agent.<Void>builder("triage").inputGuardrails(slowTrip).build();
        long start = System.nanoTime();

        assertThatThrownBy(() -> Runner.create().run(agent, "hi", RunOptions.<Void>none().withModel(model)))
                .isInstanceOfSatisfying(InputGuardrailTripwireTriggered.class,
                        e -> assertThat(e.result().info()).isEqualTo("abusive"));

        assertThat(model.interrupted).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).as("the caller's thread is left clean").isFalse();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(20));
    }

    @Test
    void no_tool_runs_before_a_parallel_guardrail_has_passed() {
        AtomicBoolean toolRan = new AtomicBoolean();
        Tool<Void> refund = Tool.of("refund", "", Refund.class, (ctx, a) -> {
            toolRan.set(true);
            return "done";
        });
        InputGuardrail<Void> lateTrip = InputGuardrail.of("late_trip", (ctx, agent, input) -> {
            try {
                Thread.sleep(200); // the model has long answered with a tool call by now
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return GuardrailOutput.trip("fraud suspected");
        });
        Agent<Void> agent = Agent.<Void>builder("billing").tools(refund).inputGuardrails(lateTrip).build();

        assertThatThrownBy(() -> Runner.create().run(agent, "refund 500", RunOptions.<Void>none()
                .withModel(new Script(call("refund", "{\"amount\":500}"), reply("done")))))
                .isInstanceOf(InputGuardrailTripwireTriggered.class);
        assertThat(toolRan).isFalse();
    }

    @Test
    void a_blocking_guardrail_runs_before_any_model_call() {
        AtomicInteger modelCalls = new AtomicInteger();
        Model counting = request -> {
            modelCalls.incrementAndGet();
            return Script.response(Message.assistant("hello"));
        };
        Agent<Void> agent = Agent.<Void>builder("triage").inputGuardrails(offTopic().blocking()).build();

        assertThatThrownBy(() -> Runner.create().run(agent, "write me a poem", RunOptions.<Void>none().withModel(counting)))
                .isInstanceOf(InputGuardrailTripwireTriggered.class)
                .hasMessageContaining("off_topic");
        assertThat(modelCalls).hasValue(0);
    }

    @Test
    void input_guardrails_only_guard_the_first_agent_and_can_be_set_for_the_whole_run() {
        AtomicInteger checks = new AtomicInteger();
        InputGuardrail<Void> counting = InputGuardrail.of("count", (ctx, agent, input) -> {
            checks.incrementAndGet();
            return GuardrailOutput.pass();
        });
        Agent<Void> billing = Agent.<Void>builder("billing").inputGuardrails(counting).build();
        Agent<Void> triage = Agent.<Void>builder("triage").handoffs(billing).build();

        RunResult result = Runner.create().run(triage, "invoice", RunOptions.<Void>none()
                .withModel(new Script(Script.handoff("billing"), reply("ok"))).withInputGuardrails(counting));

        assertThat(checks).hasValue(1);
        assertThat(result.guardrailResults()).extracting(GuardrailResult::agent).containsExactly("triage");
    }

    @Test
    void an_output_guardrail_checks_the_final_output_of_the_agent_that_produces_it() {
        OutputGuardrail<Void> noPromises = OutputGuardrail.of("no_promises", (ctx, agent, output) ->
                output.toString().contains("guarantee") ? GuardrailOutput.trip(agent.name()) : GuardrailOutput.pass());
        Agent<Void> billing = Agent.<Void>builder("billing").outputGuardrails(noPromises).build();
        Agent<Void> triage = Agent.<Void>builder("triage").handoffs(billing).build();

        assertThatThrownBy(() -> Runner.create().run(triage, "refund?", RunOptions.<Void>none()
                .withModel(new Script(Script.handoff("billing"), reply("I guarantee a full refund.")))))
                .isInstanceOfSatisfying(OutputGuardrailTripwireTriggered.class, e -> {
                    assertThat(e.result().info()).isEqualTo("billing");
                    assertThat(e.items()).last().isInstanceOf(RunItem.MessageItem.class);
                });
    }

    @Test
    void a_tool_input_guardrail_can_replace_the_call_with_a_message_the_model_reads() {
        AtomicBoolean ran = new AtomicBoolean();
        Tool<Void> refund = Tool.<Void, Refund>of("refund", "", Refund.class, (ctx, a) -> {
            ran.set(true);
            return "refunded";
        }).withGuardrails(ToolGuardrail.input("limit", (ctx, args) -> args.contains("\"amount\":500")
                ? ToolGuardrail.Decision.replace("Refunds above $200 need a human; tell the customer.")
                : ToolGuardrail.Decision.allow()));
        Agent<Void> agent = Agent.<Void>builder("billing").tools(refund).build();
        Script model = new Script(call("refund", "{\"amount\":500}"), reply("A colleague will approve it."));

        RunResult result = Runner.create().run(agent, "refund 500", RunOptions.<Void>none().withModel(model));

        assertThat(ran).isFalse();
        assertThat(model.requests.get(1).input()).last().satisfies(i ->
                assertThat(((dev.baton.item.ToolOutput) i).output()).contains("need a human"));
        assertThat(result.guardrailResults()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(GuardrailResult.Kind.TOOL_INPUT);
            assertThat(r.tripwireTriggered()).isTrue();
            assertThat(r.callId()).isNotNull();
        });
    }

    @Test
    void a_tool_output_guardrail_can_replace_or_raise() {
        Tool<Void> lookup = Tool.<Void, Refund>of("lookup", "", Refund.class, (ctx, a) -> "card 4111-1111-1111-1111")
                .withGuardrails(ToolGuardrail.output("mask", (ctx, args, out) ->
                        ToolGuardrail.Decision.replace(out.replaceAll("\\d{4}-\\d{4}-\\d{4}-", "****-****-****-"))));
        Script model = new Script(call("lookup", "{\"amount\":1}"), reply("ok"));

        Runner.create().run(Agent.<Void>builder("a").tools(lookup).build(), "x", RunOptions.<Void>none().withModel(model));

        assertThat(model.requests.get(1).input().toString()).contains("****-****-****-1111").doesNotContain("4111-1111");

        Tool<Void> leaking = lookup.toBuilder().name("leaky").build()
                .withGuardrails(ToolGuardrail.output("stop", (ctx, args, out) -> ToolGuardrail.Decision.raise("card number")));
        assertThatThrownBy(() -> Runner.create().run(Agent.<Void>builder("a").tools(leaking).build(), "x",
                RunOptions.<Void>none().withModel(new Script(call("leaky", "{\"amount\":1}")))))
                .isInstanceOfSatisfying(ToolGuardrailTripwireTriggered.class,
                        e -> assertThat(e.result().kind()).isEqualTo(GuardrailResult.Kind.TOOL_OUTPUT));
    }

    @Test
    void a_guardrail_that_throws_fails_the_run_naming_it() {
        InputGuardrail<Void> broken = InputGuardrail.of("classifier", (ctx, agent, input) -> {
            throw new IllegalStateException("classifier offline");
        });

        assertThatThrownBy(() -> Runner.create().run(Agent.<Void>builder("a").inputGuardrails(broken).build(), "x",
                RunOptions.<Void>none().withModel(new Script(reply("hi")))))
                .isInstanceOf(CallbackFailed.class)
                .hasMessageContaining("classifier")
                .hasMessageContaining("offline");
    }
}
