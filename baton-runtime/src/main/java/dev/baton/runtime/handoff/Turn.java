package dev.baton.runtime.handoff;

import dev.baton.item.Item;
import dev.baton.run.ApprovalRequest;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How one hosted agent's part of a conversation ended: it answered the person, handed the
 * conversation to other agents, or waits for approvals. The host publishes each accordingly.
 */
public sealed interface Turn {

    /** The run that took the turn. */
    String runId();

    /** The agent that took the turn. */
    String agent();

    /** The conversation as the agent left it. */
    List<Item> conversation();

    /** The agent answered: {@code text} goes to the person. */
    record Answered(String runId, String agent, String text, List<Item> conversation) implements Turn {
        public Answered {
            conversation = List.copyOf(conversation);
        }
    }

    /** The agent handed the conversation to {@code targets}, each to be published the task. */
    record HandedOff(String runId, String agent, List<String> targets, List<Item> conversation) implements Turn {
        public HandedOff {
            targets = List.copyOf(targets);
            conversation = List.copyOf(conversation);
        }
    }

    /**
     * The agent's turn waits for approval of {@code pending}.
     *
     * @param state the paused run's state as JSON, for {@link Turns} that keep it with the host
     *     (in process); {@code null} for those that keep it in a store
     */
    record Paused(String runId, String agent, List<ApprovalRequest> pending, List<Item> conversation, @Nullable String state)
            implements Turn {
        public Paused {
            pending = List.copyOf(pending);
            conversation = List.copyOf(conversation);
        }
    }
}
