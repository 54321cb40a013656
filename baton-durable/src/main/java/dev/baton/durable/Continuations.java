package dev.baton.durable;

import dev.baton.JournalMismatch;
import dev.baton.RunCancelled;
import dev.baton.agent.Agent;
import dev.baton.run.ApprovalRequest;
import dev.baton.run.RunOptions;
import dev.baton.run.RunState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continues a run this worker has just claimed: finds the agent it started with in its application,
 * checks that the journal was written by the same agent graph (recording the graph on a run's first
 * execution), rebuilds a paused run's state with the decisions made since, and launches it. A run a
 * client started with an agent no one here knows fails at once with an error that says so; a
 * journal from a different graph is refused with a {@link JournalMismatch} naming what differs,
 * because replaying it against other agents would give wrong results silently.
 */
final class Continuations {
    private static final Logger log = LoggerFactory.getLogger(DurableWorker.class);

    private final Applications applications;
    private final RunStore store;
    private final String workerId;
    private final DurableClient client;
    private final Function<RunRecord, RunOptions<?>> runOptions;
    private final Launcher launcher;

    Continuations(Applications applications, RunStore store, String workerId, DurableClient client,
            Function<RunRecord, RunOptions<?>> runOptions, Launcher launcher) {
        this.applications = applications;
        this.store = store;
        this.workerId = workerId;
        this.client = client;
        this.runOptions = runOptions;
        this.launcher = launcher;
    }

    /**
     * Launches the claimed run; false if it failed at once because its agent is unknown here.
     *
     * @throws JournalMismatch if the run cannot continue with the agents here
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    boolean continueRun(Execution ex, RunRecord claimed) {
        RunRecord record = claimed;
        Map<String, Applications.Registered> agents = applications.agents(record.application());
        Applications.Registered registered = agents.get(record.startAgent());
        if (registered == null && record.graph().isEmpty()) {
            // Started by a client, never executed: nothing to replay, so the run fails with a clear error at once.
            String error = "UserError: application '" + record.application() + "' has no agent named '" + record.startAgent()
                    + "' on worker " + workerId + " (agents: " + new TreeMap<>(agents).keySet() + ")";
            RunRecord failed = record.withOutcome(RunStatus.FAILED, record.currentAgent(), null, error, record.usage(), null,
                    DurableClient.now());
            client.storeCall(() -> store.finishRun(List.of(), failed), "record the failure of run " + record.id());
            log.warn("run {} failed: {}", record.id(), error);
            return false;
        }
        if (registered == null) {
            throw new JournalMismatch("Run " + record.id() + " started with agent '" + record.startAgent()
                    + "', which application '" + record.application() + "' of this worker does not have (agents: "
                    + new TreeMap<>(agents).keySet() + "): register it with DurableWorker.builder(...).application(...)");
        }
        if (record.graph().isEmpty()) {
            // The first execution of a run a client started: the graph it is journaled with is the one here.
            if (!client.storeCall(() -> store.recordGraph(claimed.id(), registered.graph(), workerId),
                    "record the agents of run " + claimed.id())) {
                throw new RunCancelled("Run " + claimed.id() + " was taken by another worker before this one recorded its agents");
            }
            record = record.withGraph(registered.graph());
        }
        String diff = differences(record.graph(), registered.graph());
        if (!diff.isEmpty()) {
            throw new JournalMismatch("Run " + record.id() + " was journaled by a different agent graph: " + diff
                    + ". Resume it with the agent definitions it was started with.");
        }
        RunOptions options = runOptions.apply(record);
        if (record.sessionId() != null) {
            options = options.withSession(record.sessionId());
        }
        RunState state = null;
        if (record.pausedState() != null) {
            state = withDecisions(RunState.fromJson(record.pausedState()),
                    client.storeCall(() -> store.approvals(claimed.id()), "read approvals"));
        }
        launcher.launch(ex, record, (Agent) registered.agent(), options, state, true);
        return true;
    }

    private static RunState withDecisions(RunState state, List<Approval> approvals) {
        Set<String> pending = new HashSet<>();
        for (ApprovalRequest r : state.pendingApprovals()) {
            pending.add(r.callId());
        }
        for (Approval a : approvals) {
            if (pending.contains(a.callId())) {
                if (a.status() == Approval.Status.APPROVED) {
                    state = a.always() ? state.approveAlways(a.callId()) : state.approve(a.callId());
                } else if (a.status() == Approval.Status.REJECTED) {
                    state = a.always() ? state.rejectAlways(a.callId(), a.message()) : state.reject(a.callId(), a.message());
                }
            }
        }
        return state;
    }

    /** What differs between the graph a run was journaled with and the one here; empty if nothing. */
    static String differences(Map<String, String> journaled, Map<String, String> here) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(journaled).entrySet()) {
            String now = here.get(e.getKey());
            if (now == null) {
                out.add("agent '" + e.getKey() + "' is missing (renamed or removed)");
            } else if (!now.equals(e.getValue())) {
                out.add("agent '" + e.getKey() + "' has a different definition (" + e.getValue() + " then, " + now + " now)");
            }
        }
        return String.join("; ", out);
    }
}
