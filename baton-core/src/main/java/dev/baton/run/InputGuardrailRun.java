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
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * The input guardrails of a run's first turn. Blocking ones run to completion before the model is
 * called. Parallel ones run on virtual threads beside the model call; the first to trip
 * interrupts the run's thread, so an in-flight model call is abandoned, and the run waits for all
 * of them before anything the model asked for happens.
 */
final class InputGuardrailRun<C> {
    /** A guardrail and the agent it belongs to, which is the agent its check is given. */
    record Guard<C>(InputGuardrail<C> guardrail, Agent<C> owner) {}

    private final RunContext<C> ctx;
    private final List<Item> input;
    private final Thread runThread;
    private final AtomicReference<@Nullable GuardrailResult> tripped = new AtomicReference<>();
    private final List<FutureTask<GuardrailResult>> parallel = new ArrayList<>();
    /** Each parallel guardrail's result, by position, set as soon as it is known (before a trip interrupts). */
    private @Nullable AtomicReferenceArray<GuardrailResult> finished;
    /** Guards the interrupt: once closed, no guardrail may interrupt the run's thread any more. */
    private final Object lock = new Object();
    private boolean closed;
    private boolean reported;

    InputGuardrailRun(RunContext<C> ctx, List<Item> input) {
        this.ctx = ctx;
        this.input = input;
        this.runThread = Thread.currentThread();
    }

    /** Runs the blocking guardrails (concurrently among themselves) and returns their results, in order. */
    List<GuardrailResult> runBlocking(List<Guard<C>> guardrails) {
        List<FutureTask<GuardrailResult>> tasks = new ArrayList<>(guardrails.size());
        for (Guard<C> g : guardrails) {
            FutureTask<GuardrailResult> task = new FutureTask<>(() -> check(g));
            tasks.add(task);
            if (guardrails.size() == 1) {
                task.run();
            } else {
                Thread.ofVirtual().name("baton-guardrail-" + g.guardrail().name()).start(task);
            }
        }
        return collect(tasks);
    }

    /** Starts the parallel guardrails; a trip interrupts the run's thread. */
    void startParallel(List<Guard<C>> guardrails) {
        AtomicReferenceArray<GuardrailResult> slots = new AtomicReferenceArray<>(guardrails.size());
        finished = slots;
        for (int i = 0; i < guardrails.size(); i++) {
            Guard<C> g = guardrails.get(i);
            int slot = i;
            FutureTask<GuardrailResult> task = new FutureTask<>(() -> {
                GuardrailResult r = check(g);
                slots.set(slot, r);
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
            Thread.ofVirtual().name("baton-guardrail-" + g.guardrail().name()).start(task);
        }
    }

    /** The first parallel guardrail that tripped, if any. */
    @Nullable GuardrailResult tripped() {
        return tripped.get();
    }

    /**
     * Takes the right to report the parallel results: true the first time only, so a run that
     * looks at its guardrails twice (a trip seen in the model call, then again after it) reports
     * each result once.
     */
    boolean claimReport() {
        if (reported) {
            return false;
        }
        reported = true;
        return true;
    }

    /**
     * Waits for the parallel guardrails and returns, in declaration order, the result of every one
     * that finished: all of them, or, after a trip, the trip and those done before it was seen
     * (the others are stopped and report nothing). After this no guardrail can interrupt the run's
     * thread, and an interrupt that only signalled a trip is cleared.
     *
     * @throws dev.baton.RunCancelled if the run was cancelled while waiting
     */
    List<GuardrailResult> awaitParallel() {
        try {
            for (FutureTask<GuardrailResult> task : parallel) {
                if (tripped.get() != null) {
                    break;
                }
                try {
                    task.get();
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
        if (tripped.get() != null) {
            Thread.interrupted(); // the trip's signal, not a cancellation
        }
        List<GuardrailResult> results = new ArrayList<>(parallel.size());
        AtomicReferenceArray<GuardrailResult> slots = finished;
        for (int i = 0; slots != null && i < slots.length(); i++) {
            GuardrailResult r = slots.get(i);
            if (r != null) {
                results.add(r);
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

    private GuardrailResult check(Guard<C> guard) {
        InputGuardrail<C> g = guard.guardrail();
        Agent<C> agent = guard.owner();
        GuardrailOutput out;
        try {
            out = g.run(ctx, agent, input);
        } catch (BatonException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CallbackFailed("The input guardrail '" + g.name() + "' failed: " + Callbacks.message(e), e);
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
