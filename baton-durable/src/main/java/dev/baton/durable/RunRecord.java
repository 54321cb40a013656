package dev.baton.durable;

import dev.baton.item.Item;
import dev.baton.model.Usage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One durable run as the store keeps it.
 *
 * @param id the run id (also the id of its events and trace)
 * @param application the application (a desk) the run belongs to: the workers that registered
 *     agents under this name are the ones that execute it, and "the runs of the support desk" is a
 *     query on it
 * @param startAgent the agent the run was started with (a name registered with the durable runner)
 * @param currentAgent the agent that holds the run now (after handoffs)
 * @param sessionId the session the run reads and extends, if any
 * @param input the input items the run was started with (not including session history)
 * @param status where the run stands
 * @param createdAt when it was started
 * @param updatedAt when the record last changed
 * @param finalOutput the final output as JSON text (a JSON string for plain-text agents), once completed
 * @param error what failed, once failed or cancelled
 * @param usage tokens and requests spent so far
 * @param graph the agent graph the run was journaled with: agent name to {@code Agent.fingerprint()}
 * @param pausedState the {@code RunState} JSON of the last pause, if the run ever paused
 * @param owner the worker holding the run's lease, if any
 * @param leaseUntil when that lease expires
 * @param context the context the run was started with, as JSON text (for the worker's run options
 *     to turn into the agents' context), or null
 */
public record RunRecord(
        String id,
        String application,
        String startAgent,
        String currentAgent,
        @Nullable String sessionId,
        List<Item> input,
        RunStatus status,
        Instant createdAt,
        Instant updatedAt,
        @Nullable String finalOutput,
        @Nullable String error,
        Usage usage,
        Map<String, String> graph,
        @Nullable String pausedState,
        @Nullable String owner,
        @Nullable Instant leaseUntil,
        @Nullable String context) {

    /** The application of runs started without naming one, and of runs recorded before runs named theirs. */
    public static final String DEFAULT_APPLICATION = "default";

    public RunRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(startAgent, "startAgent");
        Objects.requireNonNull(currentAgent, "currentAgent");
        input = List.copyOf(input);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        usage = usage == null ? Usage.zero() : usage;
        graph = Map.copyOf(graph);
    }

    /** A run started without a context. */
    public RunRecord(String id, String application, String startAgent, String currentAgent, @Nullable String sessionId, List<Item> input,
            RunStatus status, Instant createdAt, Instant updatedAt, @Nullable String finalOutput, @Nullable String error, Usage usage,
            Map<String, String> graph, @Nullable String pausedState, @Nullable String owner, @Nullable Instant leaseUntil) {
        this(id, application, startAgent, currentAgent, sessionId, input, status, createdAt, updatedAt, finalOutput, error, usage, graph,
                pausedState, owner, leaseUntil, null);
    }

    public RunRecord withStatus(RunStatus status, Instant at) {
        return new RunRecord(id, application, startAgent, currentAgent, sessionId, input, status, createdAt, at, finalOutput, error, usage,
                graph, pausedState, owner, leaseUntil, context);
    }

    /** This record with the outcome of an execution: status, current agent, output or error, usage, and pause state. */
    public RunRecord withOutcome(RunStatus status, String currentAgent, @Nullable String finalOutput, @Nullable String error,
            Usage usage, @Nullable String pausedState, Instant at) {
        return new RunRecord(id, application, startAgent, currentAgent, sessionId, input, status, createdAt, at, finalOutput, error, usage,
                graph, pausedState, owner, leaseUntil, context);
    }

    /** This record with the agent graph it is executed with (a run a client started has none until a worker takes it). */
    public RunRecord withGraph(Map<String, String> graph) {
        return new RunRecord(id, application, startAgent, currentAgent, sessionId, input, status, createdAt, updatedAt, finalOutput,
                error, usage, graph, pausedState, owner, leaseUntil, context);
    }

    public RunRecord withLease(@Nullable String owner, @Nullable Instant leaseUntil) {
        return new RunRecord(id, application, startAgent, currentAgent, sessionId, input, status, createdAt, updatedAt, finalOutput, error,
                usage, graph, pausedState, owner, leaseUntil, context);
    }
}
