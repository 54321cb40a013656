package dev.baton.run;

import dev.baton.item.Item;
import dev.baton.item.RunItem;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How a turn ends, once its model response is resolved: the loop goes round again, hands the
 * conversation to another agent, finishes with a final output, or pauses for approvals. A pause
 * is a value like the others, not an exception.
 */
sealed interface NextStep<C> {

    /** Tools ran and the model reads their outputs on the next turn. */
    record RunAgain<C>() implements NextStep<C> {}

    /**
     * The turn asked for a handoff: the first transfer call of {@code calls} wins, or, with none,
     * the handoff a tool asked for ({@code fromTool}, a placeholder output the handoff fills in).
     */
    record HandOff<C>(List<RunItem> turnItems, List<Classified.HandoffCall<C>> calls,
            RunItem.@Nullable HandoffOutputItem fromTool) implements NextStep<C> {}

    /** The run's final output; it stays pending until the output guardrails pass. */
    record Final<C>(Object output) implements NextStep<C> {}

    /**
     * Calls of the turn wait for a human decision.
     *
     * @param output the model's output of the paused turn, classified again on resume
     * @param done the outputs of the turn's calls that already ran, by call id
     * @param pending the calls waiting, nested runs' included
     * @param nested the paused nested runs (agents used as tools), by the calling tool call's id
     */
    record Interrupted<C>(List<Item> output, Map<String, RunState.Done> done, List<ApprovalRequest> pending,
            Map<String, RunState.Data> nested) implements NextStep<C> {
        public Interrupted {
            output = List.copyOf(output);
            pending = List.copyOf(pending);
        }
    }
}
