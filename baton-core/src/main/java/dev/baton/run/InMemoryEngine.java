package dev.baton.run;

import dev.baton.RunCancelled;
import dev.baton.model.ModelResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Performs every step directly: the system clock, random ids, each call made as it is asked for.
 * Stateless, one instance for all runs, so a run that does not journal pays nothing for the seam.
 */
final class InMemoryEngine implements Engine {
    static final InMemoryEngine INSTANCE = new InMemoryEngine();
    private static final Logger log = LoggerFactory.getLogger(InMemoryEngine.class);

    /** How long a stopped run waits for tool calls that ignore their interrupt. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private InMemoryEngine() {}

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public String runId() {
        return RunContext.newRunId();
    }

    @Override
    public Start start(Start live) {
        return live;
    }

    @Override
    public ModelResponse model(ModelStep step, Supplier<ModelResponse> perform) {
        return perform.get();
    }

    @Override
    public List<ToolOutcome> tools(ToolBatch batch, Function<ToolStep, ToolOutcome> perform) {
        return runAll(batch, perform);
    }

    @Override
    public RunState.@Nullable Decision decision(int turn, String callId) {
        return null;
    }

    @Override
    public void event(RunEvent event) {
        // Nothing keeps the events of a run in memory but its stream and listener, which the loop feeds.
    }

    @Override
    public boolean journaled() {
        return false;
    }

    /**
     * Runs the calls of a batch, concurrently on virtual threads (a single call on the caller's
     * thread), at most {@link ToolBatch#maxConcurrent()} at a time, outcomes in call order. Other
     * engines use it for the calls they do not replay.
     */
    static List<ToolOutcome> runAll(ToolBatch batch, Function<ToolStep, ToolOutcome> perform) {
        List<ToolStep> calls = batch.calls();
        if (calls.size() == 1) {
            return List.of(perform.apply(calls.get(0)));
        }
        Semaphore permits = new Semaphore(batch.maxConcurrent());
        List<FutureTask<ToolOutcome>> tasks = new ArrayList<>(calls.size());
        List<Thread> threads = new ArrayList<>(calls.size());
        for (ToolStep call : calls) {
            FutureTask<ToolOutcome> task = new FutureTask<>(() -> {
                permits.acquire();
                try {
                    return perform.apply(call);
                } finally {
                    permits.release();
                }
            });
            tasks.add(task);
            threads.add(Thread.ofVirtual().name("baton-tool-" + call.tool()).start(task));
        }
        ToolOutcome[] outcomes = new ToolOutcome[calls.size()];
        try {
            for (int i = 0; i < tasks.size(); i++) {
                outcomes[i] = tasks.get(i).get();
            }
        } catch (InterruptedException e) {
            stop(tasks, threads);
            Thread.currentThread().interrupt();
            throw new RunCancelled("Run " + batch.runId() + " was cancelled");
        } catch (ExecutionException e) {
            stop(tasks, threads);
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
        return Arrays.asList(outcomes);
    }

    /**
     * Interrupts the calls and waits (bounded) for them to end, so a tool that ignores interrupts
     * (a blocking driver, a payment SDK) is not still running when the session passes to the next run.
     */
    static void stop(List<? extends Future<?>> tasks, List<Thread> threads) {
        tasks.forEach(t -> t.cancel(true));
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.warn("tool call thread {} still running {} after its run stopped", t.getName(), STOP_GRACE);
                    break;
                }
                try {
                    t.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
