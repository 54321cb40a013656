package dev.baton.runtime.handoff;

import dev.baton.agent.Agent;
import dev.baton.internal.HumanAccess;
import dev.baton.item.Item;
import dev.baton.run.RunOptions;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Turns taken at most {@code limit} at a time in this process; the others wait here, in their
 * sessions' order, for one to end. A journaled turn writes to its store step after step, so more
 * turns at once than the store has connections only queue for them, and turns queued past the
 * pool's timeout fail and their leases lapse, while waiting here costs nothing.
 *
 * <p>A human agent's turns do not count: a person answers them, which may take minutes, and a
 * limit's worth of customers waiting for a manager would stop every other session of the process.
 */
final class LimitedTurns implements Turns {
    private final Turns turns;
    private final Semaphore permits;

    LimitedTurns(Turns turns, int limit) {
        this.turns = turns;
        this.permits = new Semaphore(limit, true);
    }

    @Override
    public <C> Turn take(String turnId, Agent<C> agent, List<Item> input, RunOptions<C> options) {
        if (HumanAccess.isHuman(agent)) {
            return turns.take(turnId, agent, input, options);
        }
        return limited(() -> turns.take(turnId, agent, input, options));
    }

    @Override
    public <C> Turn decide(Agent<C> agent, Turn.Paused paused, List<ApprovalDecision> decisions, RunOptions<C> options) {
        if (HumanAccess.isHuman(agent)) {
            return turns.decide(agent, paused, decisions, options);
        }
        return limited(() -> turns.decide(agent, paused, decisions, options));
    }

    private Turn limited(Supplier<Turn> turn) {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to take a turn", e);
        }
        try {
            return turn.get();
        } finally {
            permits.release();
        }
    }
}
