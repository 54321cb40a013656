package dev.baton.run;

import dev.baton.item.Item;
import dev.baton.item.RunItem;
import dev.baton.model.Usage;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What a run saves to its session as it goes; nothing for a run without one. */
final class SessionSaves {
    private @Nullable SessionWrites writes;

    /** The run holds its session now; called once, before the first turn. */
    void bind(SessionWrites writes) {
        this.writes = writes;
    }

    @Nullable SessionWrites writes() {
        return writes;
    }

    void input(List<Item> input, String writeKey) {
        if (writes != null) {
            writes.save(input, writeKey);
        }
    }

    void items(List<RunItem> items, String writeKey) {
        if (writes != null) {
            writes.saveRunItems(items, writeKey);
        }
    }

    void activeAgent(String agentName) {
        if (writes != null) {
            writes.setActiveAgent(agentName);
        }
    }

    void usage(String runId, Usage usage, Instant at) {
        if (writes != null) {
            writes.recordUsage(runId, usage, at);
        }
    }
}
