package dev.baton.run;

import dev.baton.BatonException;
import dev.baton.CallbackFailed;
import dev.baton.InputGuardrailTripwireTriggered;
import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailOutput;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.guardrail.InputGuardrail;
import dev.baton.item.Item;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The input guardrails of a run's first turn. Blocking ones run to completion before the model is
 * called. Parallel ones run on virtual threads beside the model call; the first to trip
 * interrupts the run's thread, so an in-flight model call is abandoned, and the run waits for all
 * of them before anything the model asked for happens.
 */
final class InputGuardrailRun<C> {
    private final RunContext<C> ctx;
    private final Agent<C> agent;
    private final List<Item> input;
    private final Thread runThread;
    private final AtomicReference<@Nullable GuardrailResult> tripped = new AtomicReference<>();
    private final List<FutureTask<GuardrailResult>> parallel = new ArrayList<>();
    /** Guards the interrupt: once closed, no guardrail may interrupt the run's thread any more. */
    private final Object lock = new Object();
    private boolean closed;

    InputGuardrailRun(RunContext<C> ctx, Agent<C> agent, List<Item> input) {
        this.ctx = ctx;
        this.agent = agent;
        this.input = input;
        this.runThread = Thread.currentThread();
    }

    /** Runs the blocking guardrails (concurrently among themselves) and returns their results, in order. */
    List<GuardrailResult> runBlocking(List<InputGuardrail<C>> guardrails) {
        List<FutureTask<GuardrailResult>> tasks = new ArrayList<>(guardrails.size());
        for (InputGuardrail<C> g : guardrails) {
            FutureTask<GuardrailResult> task = new FutureTask<>(() -> check(g));
            tasks.add(task);
            if (guardrails.size() == 1) {
                task.run();
            } else {
                Thread.ofVirtual().name("baton-guardrail-" + g.name()).start(task);
            }
        }
        return collect(tasks);
    }

    /** Starts the parallel guardrails; a trip interrupts the run's thread. */
    void startParallel(List<InputGuardrail<C>> guardrails) {
        for (InputGuardrail<C> g : guardrails) {
            FutureTask<GuardrailResult> task = new FutureTask<>(() -> {
                GuardrailResult r = check(g);
                if (r.tripwireTriggered()) {
                    synchronized (lock) {
                        if (tripped.compareAndSet(null, r) && !closed) {
                            runThread.interrupt();
                        }
                    }
                }
                return r;
            });
            parallel.add(task);
            Thread.ofVirtual().name("baton-guardrail-" + g.name()).start(task);
        }
    }

    /** The first parallel guardrail that tripped, if any. */
    @Nullable GuardrailResult tripped() {
        return tripped.get();
    }

    /**
     * Waits for the parallel guardrails and returns the results that finished (all of them, or up
     * to a trip, whose result is included). After this no guardrail can interrupt the run's thread,
     * and an interrupt that only signalled a trip is cleared.
     *
     * @throws dev.baton.RunCancelled if the run was cancelled while waiting
     */
    List<GuardrailResult> awaitParallel() {
        List<GuardrailResult> results = new ArrayList<>(parallel.size());
        try {
            for (FutureTask<GuardrailResult> task : parallel) {
                if (tripped.get() != null) {
                    break;
                }
                try {
                    results.add(task.get());
                } catch (InterruptedException e) {
                    if (tripped.get() == null) {
                        close();
                        Thread.currentThread().interrupt();
                        throw new dev.baton.RunCancelled("Run was cancelled while its input guardrails ran");
                    }
                } catch (ExecutionException e) {
                    close();
                    throw rethrow(e);
                } catch (java.util.concurrent.CancellationException e) {
                    // cancelled after a trip or a failure: nothing to report for it
                }
            }
        } finally {
            close();
        }
        GuardrailResult trip = tripped.get();
        if (trip != null) {
            Thread.interrupted(); // the trip's signal, not a cancellation
            if (!results.contains(trip)) {
                results.add(trip);
            }
        }
        return results;
    }

    /** Stops the parallel guardrails; after this none can interrupt the run's thread. */
    void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        parallel.forEach(t -> t.cancel(true));
    }

    private List<GuardrailResult> collect(List<FutureTask<GuardrailResult>> tasks) {
        List<GuardrailResult> results = new ArrayList<>(tasks.size());
        for (FutureTask<GuardrailResult> task : tasks) {
            try {
                results.add(task.get());
            } catch (InterruptedException e) {
                tasks.forEach(t -> t.cancel(true));
                Thread.currentThread().interrupt();
                throw new dev.baton.RunCancelled("Run was cancelled while its input guardrails ran");
            } catch (ExecutionException e) {
                tasks.forEach(t -> t.cancel(true));
                throw rethrow(e);
            }
        }
        return results;
    }

    private GuardrailResult check(InputGuardrail<C> g) {
        GuardrailOutput out;
        try {
            out = g.run(ctx, agent, input);
        } catch (BatonException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CallbackFailed("The input guardrail '" + g.name() + "' failed: " + RunLoop.message(e), e);
        }
        return new GuardrailResult(g.name(), GuardrailResult.Kind.INPUT, agent.name(), null, out.tripwireTriggered(), out.info());
    }

    private static RuntimeException rethrow(ExecutionException e) {
        if (e.getCause() instanceof RuntimeException re) {
            return re;
        }
        if (e.getCause() instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(e.getCause());
    }
}
