package dev.baton.runtime.handoff;

import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.RunState;
import dev.baton.run.Runner;
import java.util.List;
import java.util.Objects;

/** Turns run by a {@link Runner} in this process. */
final class RunnerTurns implements Turns {
    private final Runner runner;

    RunnerTurns(Runner runner) {
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    @Override
    public <C> Turn take(String turnId, Agent<C> agent, List<Item> input, RunOptions<C> options) {
        return of(runner.run(agent, input, options));
    }

    @Override
    public <C> Turn decide(Agent<C> agent, Turn.Paused paused, List<ApprovalDecision> decisions, RunOptions<C> options) {
        if (paused.state() == null) {
            throw new IllegalArgumentException("run " + paused.runId() + " paused without its state: it was not taken in this process");
        }
        RunState state = RunState.fromJson(paused.state());
        for (ApprovalDecision d : decisions) {
            if (d.approved()) {
                state = d.always() ? state.approveAlways(d.callId()) : state.approve(d.callId());
            } else {
                state = d.always() ? state.rejectAlways(d.callId(), d.message()) : state.reject(d.callId(), d.message());
            }
        }
        return of(runner.resume(agent, state, options));
    }

    /** The turn a run's result describes. */
    static Turn of(RunResult result) {
        if (result.isPaused()) {
            return new Turn.Paused(result.runId(), result.lastAgent(), result.interruptions(), result.conversation(),
                    result.toState().toJson());
        }
        if (result.isHandedOff()) {
            String from = result.newItems().isEmpty() ? result.lastAgent() : result.newItems().getLast().agent();
            return new Turn.HandedOff(result.runId(), from, result.handedOffTo(), result.conversation());
        }
        return new Turn.Answered(result.runId(), result.lastAgent(), result.finalOutputText(), result.conversation());
    }
}
