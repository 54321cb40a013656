package dev.baton.durable;

import dev.baton.model.Usage;
import dev.baton.run.RunEvent;
import java.util.List;

/**
 * Everything recorded about one run: the run, its events (as recorded, or typed through
 * {@link #runEvents()}), its journaled effects (each model and tool call with its timing and
 * tokens) and its approvals.
 */
public record RunHistory(RunRecord run, List<RecordedEvent> events, List<Effect> effects, List<Approval> approvals) {
    public RunHistory {
        events = List.copyOf(events);
        effects = List.copyOf(effects);
        approvals = List.copyOf(approvals);
    }

    /** The events read back as typed events, in order; see {@link RecordedEvent#toEvent()}. */
    public List<RunEvent> runEvents() {
        return events.stream().map(RecordedEvent::toEvent).toList();
    }

    /** The model calls, in order. */
    public List<Effect> modelCalls() {
        return effects.stream().filter(e -> e.kind() == Effect.Kind.MODEL).toList();
    }

    /** The tool calls, in order. */
    public List<Effect> toolCalls() {
        return effects.stream().filter(e -> e.kind() == Effect.Kind.TOOL).toList();
    }

    /** Tokens of the journaled model calls, added up. */
    public Usage modelUsage() {
        Usage total = Usage.zero();
        for (Effect e : modelCalls()) {
            if (e.usage() != null) {
                total = total.plus(e.usage());
            }
        }
        return total;
    }
}
