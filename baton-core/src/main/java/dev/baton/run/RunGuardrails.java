package dev.baton.run;

import dev.baton.BatonException;
import dev.baton.CallbackFailed;
import dev.baton.InputGuardrailTripwireTriggered;
import dev.baton.OutputGuardrailTripwireTriggered;
import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailOutput;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.guardrail.InputGuardrail;
import dev.baton.guardrail.OutputGuardrail;
import dev.baton.item.Item;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The guardrail steps of one run: the first agent's input guardrails (blocking ones before the
 * first model call, parallel ones beside it), the output guardrails of the agent that produces
 * the final output, and every result they give, in order. Each result is also handed to the
 * loop, which traces it and reports it as an event.
 */
final class RunGuardrails<C> {
    private final List<GuardrailResult> results = new ArrayList<>();
    private final Consumer<GuardrailResult> onResult;
    /** Parallel input guardrails still running beside the first model call. */
    private volatile @Nullable InputGuardrailRun<C> running;

    RunGuardrails(Consumer<GuardrailResult> onResult) {
        this.onResult = onResult;
    }

    List<GuardrailResult> results() {
        return results;
    }

    /** Puts back the results of a run that paused. */
    void restore(List<GuardrailResult> earlier) {
        results.addAll(earlier);
    }

    void record(List<GuardrailResult> checked) {
        for (GuardrailResult r : checked) {
            results.add(r);
            onResult.accept(r);
        }
    }

    /**
     * Runs the blocking input guardrails, then starts the parallel ones; returns them, or null
     * when there are none. The guardrails are the front door's ({@code frontDoor}, the agent the
     * run was started with), those of the agent that acts first when a session puts another one
     * in charge ({@code acting}), and the run's own; each runs once.
     */
    @Nullable InputGuardrailRun<C> startInput(RunContext<C> ctx, Agent<C> frontDoor, Agent<C> acting, RunOptions<C> options,
            List<Item> input) {
        if (frontDoor.inputGuardrails().isEmpty() && acting.inputGuardrails().isEmpty() && options.inputGuardrails().isEmpty()) {
            return null; // the common case: nothing to collect on the first turn's path
        }
        List<InputGuardrailRun.Guard<C>> all = new ArrayList<>();
        java.util.Set<InputGuardrail<C>> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (InputGuardrail<C> g : frontDoor.inputGuardrails()) {
            if (seen.add(g)) {
                all.add(new InputGuardrailRun.Guard<>(g, frontDoor));
            }
        }
        if (acting != frontDoor) {
            for (InputGuardrail<C> g : acting.inputGuardrails()) {
                if (seen.add(g)) {
                    all.add(new InputGuardrailRun.Guard<>(g, acting));
                }
            }
        }
        for (InputGuardrail<C> g : options.inputGuardrails()) {
            if (seen.add(g)) {
                all.add(new InputGuardrailRun.Guard<>(g, acting));
            }
        }
        if (all.isEmpty()) {
            return null;
        }
        InputGuardrailRun<C> guards = new InputGuardrailRun<>(ctx, input);
        List<InputGuardrailRun.Guard<C>> blocking = all.stream().filter(g -> g.guardrail().isBlocking()).toList();
        if (!blocking.isEmpty()) {
            List<GuardrailResult> checked = guards.runBlocking(blocking);
            record(checked);
            for (GuardrailResult r : checked) {
                if (r.tripwireTriggered()) {
                    throw new InputGuardrailTripwireTriggered(r);
                }
            }
        }
        List<InputGuardrailRun.Guard<C>> parallel = all.stream().filter(g -> !g.guardrail().isBlocking()).toList();
        if (parallel.isEmpty()) {
            return null;
        }
        guards.startParallel(parallel);
        running = guards;
        return guards;
    }

    /**
     * After the first model call failed: a trip interrupted it, and then the tripwire is the
     * outcome; otherwise the failure is, and the guardrails still running are stopped so none
     * outlives the run.
     */
    void afterFailedCall(InputGuardrailRun<C> guards) {
        guards.close();
        running = null;
        if (guards.tripped() != null) {
            finish(guards);
        }
    }

    /** Waits for the parallel input guardrails, records every result, and throws the tripwire if one tripped. */
    void finish(InputGuardrailRun<C> guards) {
        running = null;
        if (guards.claimReport()) {
            record(guards.awaitParallel());
        }
        GuardrailResult trip = guards.tripped();
        if (trip != null) {
            throw new InputGuardrailTripwireTriggered(trip);
        }
    }

    /** A parallel input guardrail that tripped interrupts the run; that interrupt means the tripwire, not a cancel. */
    void throwIfTripped() {
        InputGuardrailRun<C> guards = running;
        if (guards != null && guards.tripped() != null) {
            finish(guards);
        }
    }

    /** Checks the final output with the agent's and the run's output guardrails. */
    void checkOutput(RunContext<C> ctx, Agent<C> agent, RunOptions<C> options, Object output) {
        if (agent.outputGuardrails().isEmpty() && options.outputGuardrails().isEmpty()) {
            return; // most runs: no list to build on the way out
        }
        List<OutputGuardrail<C>> all = new ArrayList<>(agent.outputGuardrails());
        all.addAll(options.outputGuardrails());
        for (OutputGuardrail<C> g : all) {
            GuardrailOutput out;
            try {
                out = g.run(ctx, agent, output);
                if (out == null) {
                    throw new NullPointerException("returned null");
                }
            } catch (BatonException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new CallbackFailed("The output guardrail '" + g.name() + "' failed: " + Callbacks.message(e), e);
            }
            GuardrailResult r = new GuardrailResult(g.name(), GuardrailResult.Kind.OUTPUT, agent.name(), null,
                    out.tripwireTriggered(), out.info());
            record(List.of(r));
            if (r.tripwireTriggered()) {
                throw new OutputGuardrailTripwireTriggered(r);
            }
        }
    }
}
