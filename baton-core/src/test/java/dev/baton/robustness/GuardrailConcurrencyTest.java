package dev.baton.robustness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.CallbackFailed;
import dev.baton.InputGuardrailTripwireTriggered;
import dev.baton.ModelCallFailed;
import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailOutput;
import dev.baton.guardrail.InputGuardrail;
import dev.baton.hook.RunHooks;
import dev.baton.model.ModelRequest;
import dev.baton.run.RunConfig;
import dev.baton.run.RunContext;
import dev.baton.run.RunEvent;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GuardrailConcurrencyTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    /** A parallel guardrail that trips after a delay, and records whether it finished. */
    static InputGuardrail<Void> slowTrip(long millis, AtomicBoolean finished) {
        return InputGuardrail.of("slow", (ctx, agent, input) -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                throw new RuntimeException("cancelled", e);
            }
            finished.set(true);
            return GuardrailOutput.trip("late");
        });
    }

    @Test
    void a_failed_model_call_leaves_the_parallel_guardrail_running_and_it_later_interrupts_the_callers_thread() throws Exception {
        AtomicBoolean finished = new AtomicBoolean();
        Agent<Void> agent = Agent.<Void>builder("a").inputGuardrails(slowTrip(300, finished)).build();
        Runner runner = Runner.create(RunConfig.builder().defaultModel(r -> {
            throw new RuntimeException("HTTP 503");
        }).build());

        assertThatThrownBy(() -> runner.run(agent, "hi")).isInstanceOf(ModelCallFailed.class);

        long end = System.nanoTime() + 700_000_000L;
        while (System.nanoTime() < end) {
            Thread.onSpinWait(); // the caller moves on to other work
        }
        // The run is over, yet its guardrail went on, tripped and interrupted this thread: the caller's
        // next run (a retry of the failed call, say) is cancelled before it starts.
        Agent<Void> healthy = Agent.<Void>builder("b").build();
        Runner ok = Runner.create(RunConfig.builder().defaultModel(StepModel.reply("fine")::apply).build());
        assertThat(ok.run(healthy, "retry").finalOutput()).isEqualTo("fine");
        assertThat(finished).as("guardrail thread was cancelled when the run failed").isFalse();
    }

    @Test
    void a_failing_model_start_hook_also_leaves_the_guardrail_running() throws Exception {
        AtomicBoolean finished = new AtomicBoolean();
        Agent<Void> agent = Agent.<Void>builder("a").inputGuardrails(slowTrip(300, finished)).build();
        Runner runner = Runner.create(RunConfig.builder().defaultModel(StepModel.reply("x")::apply).build());
        RunHooks<Void> hooks = new RunHooks<>() {
            @Override
            public void onModelStart(RunContext<Void> context, Agent<Void> a, ModelRequest request) {
                throw new IllegalStateException("boom");
            }
        };

        assertThatThrownBy(() -> runner.run(agent, "hi", RunOptions.<Void>none().withHooks(hooks)))
                .isInstanceOf(CallbackFailed.class);

        boolean interrupted = pause(700);
        assertThat(interrupted).as("caller's thread interrupted after the run ended").isFalse();
        assertThat(finished).as("guardrail thread was cancelled when the run failed").isFalse();
    }

    @Test
    void a_trip_while_a_hook_waits_is_reported_as_a_hook_failure_not_as_the_tripwire() {
        CountDownLatch never = new CountDownLatch(1);
        Agent<Void> agent = Agent.<Void>builder("a")
                .inputGuardrails(InputGuardrail.of("fast", (ctx, a, in) -> GuardrailOutput.trip("off topic"))).build();
        Runner runner = Runner.create(RunConfig.builder().defaultModel(StepModel.reply("x")::apply).build());
        RunHooks<Void> hooks = new RunHooks<>() {
            @Override
            public void onModelStart(RunContext<Void> context, Agent<Void> a, ModelRequest request) {
                try {
                    never.await(5, TimeUnit.SECONDS); // e.g. a metrics client doing blocking I/O
                } catch (InterruptedException e) {
                    throw new RuntimeException("metrics push interrupted", e);
                }
            }
        };

        assertThatThrownBy(() -> runner.run(agent, "hi", RunOptions.<Void>none().withHooks(hooks)))
                .isInstanceOf(InputGuardrailTripwireTriggered.class);
    }

    @Test
    void a_tripped_parallel_guardrail_is_in_the_event_stream() {
        Agent<Void> agent = Agent.<Void>builder("a")
                .inputGuardrails(InputGuardrail.of("fast", (ctx, a, in) -> GuardrailOutput.trip("off topic"))).build();
        Runner runner = Runner.create(RunConfig.builder().defaultModel(StepModel.reply("x")::apply).build());
        List<RunEvent> events = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> runner.run(agent, "hi", RunOptions.<Void>none().withListener(events::add)))
                .isInstanceOf(InputGuardrailTripwireTriggered.class);

        assertThat(events).filteredOn(e -> e instanceof RunEvent.GuardrailChecked).as("GuardrailChecked for the trip")
                .isNotEmpty();
    }

    /** Sleeps; true if this thread was interrupted meanwhile (or already was). */
    static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            return true;
        }
        return Thread.interrupted();
    }
}
