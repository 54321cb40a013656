package dev.baton.runtime.handoff;

import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import java.util.List;

/**
 * How a hosted agent takes its turn: runs it on the conversation's session with handoffs returned
 * to the host ({@link RunOptions#withHandoffsToCaller}). {@link #of(Runner)} runs turns in this
 * process; a durable implementation journals each turn's model and tool calls so a message handled
 * again after a crash replays them instead of repeating them.
 */
public interface Turns {

    /**
     * Runs {@code agent} on {@code input} with {@code options} (session, context, handoffs to the
     * caller already set).
     *
     * @param turnId the id of the message that asked for the turn: the same when that message is
     *     delivered again, so an implementation can recognise a turn it already took
     */
    <C> Turn take(String turnId, Agent<C> agent, List<Item> input, RunOptions<C> options);

    /** Continues a paused turn once every pending call has a decision in {@code decisions}. */
    <C> Turn decide(Agent<C> agent, Turn.Paused paused, List<ApprovalDecision> decisions, RunOptions<C> options);

    /** Turns run by {@code runner} in this process; a paused turn's state stays with its host. */
    static Turns of(Runner runner) {
        return new RunnerTurns(runner);
    }
}
