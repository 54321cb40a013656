package dev.baton.robustness;

import static dev.baton.robustness.Scripted.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AsyncCancelTest {

    @Test
    void cancelling_a_future_that_already_completed_does_not_interrupt_its_dependents() throws Exception {
        CountDownLatch registered = new CountDownLatch(1);
        Scripted script = new Scripted().forAgent("a", reply("done"));
        // The run waits until the dependent stage is registered, so that stage runs on the run's thread.
        dev.baton.model.Model gated = request -> {
            try {
                registered.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return script.respond(request);
        };
        Agent<Void> a = Agent.<Void>builder("a").model(gated).build();
        CountDownLatch inDependent = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();

        CompletableFuture<RunResult> f = Runner.create().runAsync(a, "hi");
        // A dependent stage registered early runs on the run's thread when the run completes.
        CompletableFuture<Void> saved = f.thenAccept(r -> {
            inDependent.countDown();
            try {
                release.await(); // e.g. writing the result somewhere
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        registered.countDown();
        assertThat(inDependent.await(5, TimeUnit.SECONDS)).isTrue();

        boolean cancelled = f.cancel(true); // too late: the run is done
        release.countDown();
        saved.get(5, TimeUnit.SECONDS);

        assertThat(cancelled).isFalse();
        assertThat(interrupted).as("the late cancel interrupted application code on the run's thread").isFalse();
    }
}
