package dev.baton.durable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.item.Message;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a {@link RunStore}'s {@link RunStore#notifier() notifier} must behave: a reader on another
 * runner, on another instance of the store (as another process would open it), is woken when a run
 * it follows moves on, without polling. The readers here poll once an hour, so only a wake-up can
 * bring them the news within the tests' timeouts. Extend it in the store's tests:
 *
 * <pre>{@code
 * class SqliteRunNotifierTest extends RunNotifierConformance {
 *     @Override
 *     protected RunStore openStore() {
 *         return SqliteRunStore.open(tempDir.resolve("baton.db"));
 *     }
 * }
 * }</pre>
 */
@DisplayName("Readers of a run on another store instance are woken, not polling")
public abstract class RunNotifierConformance {

    private final List<AutoCloseable> opened = new ArrayList<>();

    /**
     * Opens the store under test: each call another instance on the same runs, as another process
     * would open it (a store that lives in one JVM's memory returns the same instance).
     */
    protected abstract RunStore openStore();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("a reader polling once an hour follows a run started by another runner to its end, and sees it complete")
    void readerElsewhereFollowsTheRunToItsEnd() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Model model = gated(gate, "Your refund is on its way.");
        Agent<Void> billing = Agent.<Void>builder("billing_specialist").instructions("Help with refunds.").build();
        DurableWorker writer = runner(model, openStore(), billing);
        DurableClient reader = reader(openStore());

        RunHandle started = writer.startRun(billing, "Where is my refund?");
        RunHandle followed = reader.attach(started.id());
        List<RecordedEvent> seen = new ArrayList<>();
        AtomicReference<Thread> streaming = new AtomicReference<>();
        AtomicReference<Thread> awaiting = new AtomicReference<>();
        CompletableFuture<List<RecordedEvent>> events = onThread(streaming, () -> {
            try (EventStream stream = followed.events(0)) {
                stream.forEach(seen::add);
            }
            return seen;
        });
        CompletableFuture<RunRecord> result = onThread(awaiting, followed::result);

        // Both readers wait for news (the run is held at the model call) before the run moves on.
        waitUntilWaitingForNews(streaming.get(), awaiting.get());
        gate.countDown();

        assertThat(result.get().status()).isEqualTo(RunStatus.COMPLETED);
        List<RecordedEvent> all = writer.client().history(started.id()).events();
        assertThat(events.get()).isEqualTo(all);
        assertThat(all).isNotEmpty();
        assertThat(started.result().finalOutput()).contains("refund is on its way");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    @DisplayName("a reader polling once an hour sees a run cancelled from another runner end")
    void readerElsewhereSeesACancel() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Model model = gated(gate, "never read");
        Agent<Void> billing = Agent.<Void>builder("billing_specialist").instructions("Help with refunds.").build();
        DurableWorker writer = runner(model, openStore(), billing);
        DurableClient reader = reader(openStore());

        RunHandle started = writer.startRun(billing, "Cancel my order");
        AtomicReference<Thread> awaiting = new AtomicReference<>();
        CompletableFuture<RunRecord> result = onThread(awaiting, reader.attach(started.id())::result);
        waitUntilWaitingForNews(awaiting.get());

        assertThat(started.cancel()).isTrue();
        gate.countDown();

        assertThat(result.get().status()).isEqualTo(RunStatus.CANCELLED);
    }

    private DurableWorker runner(Model model, RunStore store, Agent<?>... agents) {
        opened.add(store);
        DurableWorker runner = DurableWorker.builder(Runner.create(RunConfig.builder().defaultModel(model).build()), store)
                .agents(agents).pollInterval(Duration.ofHours(1)).build().start();
        opened.add(runner);
        return runner;
    }

    /** A model that answers {@code answer} once the gate opens: the run is held at its model call until then. */
    private static Model gated(CountDownLatch gate, String answer) {
        return request -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted at the gate", e);
            }
            return new ModelResponse(List.of(Message.assistant(answer)), Usage.of(12, 6));
        };
    }

    /** A process with none of the agents, reading through its own store: only the notifier wakes it (it polls once an hour). */
    private DurableClient reader(RunStore store) {
        opened.add(store);
        DurableClient client = DurableClient.builder(store).pollInterval(Duration.ofHours(1)).build();
        opened.add(client);
        return client;
    }

    private static <T> CompletableFuture<T> onThread(AtomicReference<Thread> thread, Supplier<T> work) {
        CompletableFuture<T> future = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                future.complete(work.get());
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        }, "reader");
        t.setDaemon(true);
        thread.set(t);
        t.start();
        return future;
    }

    /** Until every thread is parked waiting for a run's news (or has finished). */
    private static void waitUntilWaitingForNews(Thread... threads) throws InterruptedException {
        while (!Arrays.stream(threads).allMatch(t -> !t.isAlive() || Arrays.stream(t.getStackTrace())
                .anyMatch(f -> f.getClassName().equals("dev.baton.durable.RunWatch") && f.getMethodName().equals("await")))) {
            Thread.sleep(5);
        }
    }
}
