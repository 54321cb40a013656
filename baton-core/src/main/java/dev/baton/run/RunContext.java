package dev.baton.run;

import dev.baton.model.Usage;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What tools, instructions, handoff callbacks and enabling checks see of a run: the
 * application's context object (a customer, a ticket, services), the run id, the session, and
 * usage so far. One instance lives for a whole run and is shared by every agent in it.
 */
public final class RunContext<C> {
    private final @Nullable C context;
    private final String runId;
    private final @Nullable String sessionId;
    private final @Nullable Runner runner;
    private final Map<String, Usage> usageByAgent = new ConcurrentHashMap<>();
    private volatile Usage usage = Usage.zero();

    RunContext(@Nullable C context, String runId, @Nullable String sessionId, @Nullable Runner runner) {
        this.context = context;
        this.runId = runId;
        this.sessionId = sessionId;
        this.runner = runner;
    }

    /** A context outside any run, for calling a tool or rendering instructions directly (tests). */
    public static <C> RunContext<C> of(@Nullable C context) {
        return new RunContext<>(context, newRunId(), null, null);
    }

    static String newRunId() {
        return "run_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** The application's context object given to the run, or null if none was given. */
    public @Nullable C context() {
        return context;
    }

    public String runId() {
        return runId;
    }

    /** The session the run belongs to, if it has one. */
    public Optional<String> sessionId() {
        return Optional.ofNullable(sessionId);
    }

    /** The runner executing this run (a default runner outside a run), for nested runs. */
    public Runner runner() {
        return runner != null ? runner : Runner.create();
    }

    /** Usage of the run so far, nested agent-as-tool runs included. */
    public Usage usage() {
        return usage;
    }

    /** Usage so far per agent name. */
    public Map<String, Usage> usageByAgent() {
        return Map.copyOf(usageByAgent);
    }

    synchronized void addUsage(String agent, Usage delta) {
        usage = usage.plus(delta);
        usageByAgent.merge(agent, delta, Usage::plus);
    }

    /** Adds the usage of a nested run (agent as tool) to this run's. */
    void addNested(Map<String, Usage> nested) {
        nested.forEach(this::addUsage);
    }
}
