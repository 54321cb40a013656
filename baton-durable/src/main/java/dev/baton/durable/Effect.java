package dev.baton.durable;

import dev.baton.model.Usage;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One journaled effect of a run: a model call with its response, a tool call with its arguments
 * and output, or the start of the run. Keys are deterministic for a given run,
 * so a replay asks for the same keys in the same order and gets the recorded results back.
 *
 * @param runId the run
 * @param key the effect's key within the run, for example {@code m3} (third model call) or
 *     {@code t3/call_abc} (a tool call of turn 3)
 * @param kind what sort of effect it is
 * @param status started (a tool call in progress, or interrupted by a crash) or done
 * @param agent the agent on whose behalf the effect ran
 * @param name the model or tool name, where there is one
 * @param request what was asked: the tool arguments; for other kinds, a small JSON description
 * @param result the recorded result as JSON text, once done
 * @param attempts how many times the effect has been started (a crash recovery adds one)
 * @param startedAt when the latest attempt started
 * @param finishedAt when it finished, once done
 * @param usage tokens spent, for model calls
 */
public record Effect(
        String runId,
        String key,
        Kind kind,
        Status status,
        String agent,
        @Nullable String name,
        @Nullable String request,
        @Nullable String result,
        int attempts,
        Instant startedAt,
        @Nullable Instant finishedAt,
        @Nullable Usage usage) {

    public Effect {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(startedAt, "startedAt");
    }

    public enum Kind {
        /** The run's starting point: the agent and how much session history it read. */
        START,
        MODEL,
        TOOL
    }

    public enum Status {
        STARTED,
        DONE
    }

    /** Milliseconds between start and finish, once done. */
    public long durationMillis() {
        return finishedAt == null ? -1 : java.time.Duration.between(startedAt, finishedAt).toMillis();
    }
}
