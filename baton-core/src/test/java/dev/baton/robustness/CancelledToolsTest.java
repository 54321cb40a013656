package dev.baton.robustness;

import static dev.baton.robustness.Scripted.calls;
import static dev.baton.robustness.Scripted.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import dev.baton.tool.Tool;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CancelledToolsTest {
    record Q(String q) {}

    @Test
    void a_cancelled_run_keeps_its_session_until_its_tool_calls_have_ended() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        Semaphore finish = new Semaphore(0);
        AtomicBoolean refundRunning = new AtomicBoolean();
        // A side-effecting tool that does not react to interrupts (a JDBC call, a blocking SDK).
        Tool<Void> refund = Tool.of("refund", "", Q.class, (ctx, q) -> {
            refundRunning.set(true);
            started.countDown();
            finish.acquireUninterruptibly();
            refundRunning.set(false);
            return "refunded";
        });
        Tool<Void> lookup = Tool.of("lookup", "", Q.class, (ctx, q) -> {
            started.countDown();
            Thread.sleep(60_000);
            return "x";
        });
        Agent<Void> a = Agent.<Void>builder("a").tools(refund, lookup).build();
        Scripted model = new Scripted().forAgent("a",
                calls("refund", "{\"q\":\"1\"}", "lookup", "{\"q\":\"2\"}"), reply("second run"));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(new InMemorySessionStore()).build());

        CompletableFuture<RunResult> first = runner.runAsync(a, "refund please", RunOptions.session("s"));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        first.cancel(true);

        AtomicBoolean overlapped = new AtomicBoolean();
        // The refund ends on its own a little later; a fixed runner makes the next run wait for it.
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException ignored) {
                // release anyway
            }
            finish.release();
        });
        runner.run(a, "are you there?", RunOptions.<Void>session("s").withListener(e -> {
            if (refundRunning.get()) {
                overlapped.set(true);
            }
        }));

        assertThat(overlapped).as("the next run on the session ran while the cancelled run's refund was still executing").isFalse();
    }
}
