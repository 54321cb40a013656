package dev.baton.durable;

import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which runs to list: every filter that is set must match. Results come newest first.
 *
 * @param application runs of this application (desk)
 * @param statuses any of these statuses; empty for all
 * @param agent runs whose starting or current agent has this name
 * @param sessionId runs on this session
 * @param createdFrom runs created at or after this instant
 * @param createdTo runs created before this instant
 * @param limit at most this many runs (1 or more)
 */
public record RunQuery(@Nullable String application, Set<RunStatus> statuses, @Nullable String agent, @Nullable String sessionId,
        @Nullable Instant createdFrom, @Nullable Instant createdTo, int limit) {

    public RunQuery {
        statuses = Set.copyOf(statuses);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
    }

    /** The latest 100 runs, whatever their state. */
    public static RunQuery all() {
        return new RunQuery(null, Set.of(), null, null, null, null, 100);
    }

    public RunQuery withApplication(@Nullable String application) {
        return new RunQuery(application, statuses, agent, sessionId, createdFrom, createdTo, limit);
    }

    public RunQuery withStatuses(RunStatus... statuses) {
        return new RunQuery(application, Set.of(statuses), agent, sessionId, createdFrom, createdTo, limit);
    }

    public RunQuery withAgent(@Nullable String agent) {
        return new RunQuery(application, statuses, agent, sessionId, createdFrom, createdTo, limit);
    }

    public RunQuery withSession(@Nullable String sessionId) {
        return new RunQuery(application, statuses, agent, sessionId, createdFrom, createdTo, limit);
    }

    public RunQuery between(@Nullable Instant from, @Nullable Instant to) {
        return new RunQuery(application, statuses, agent, sessionId, from, to, limit);
    }

    public RunQuery withLimit(int limit) {
        return new RunQuery(application, statuses, agent, sessionId, createdFrom, createdTo, limit);
    }
}
