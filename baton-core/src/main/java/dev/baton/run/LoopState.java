package dev.baton.run;

import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.internal.AgentAccess;
import dev.baton.item.Item;
import dev.baton.item.RunItem;
import dev.baton.model.ModelResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where a run stands between its steps: everything about a run in progress that changes as it
 * goes, in one place. A paused run is a snapshot of it ({@link RunState.Loop}); a resumed run
 * starts from one. Used from the run's own thread only.
 */
final class LoopState<C> {
    String runId;
    Agent<C> agent;
    /** The sequence number of the next event. */
    long seq;
    /** What the run started from: the session's history, then the input. */
    List<Item> startInput = List.of();
    /** What the active agent's model sees before the visible run items: the (possibly filtered) history. */
    List<Item> inputHistory = List.of();
    final List<RunItem> visible = new ArrayList<>();
    final List<RunItem> newItems = new ArrayList<>();
    /** Items of the turn in progress, not yet committed; part of what a failure reports. */
    List<RunItem> pendingTurn = List.of();
    final List<ModelResponse> responses = new ArrayList<>();
    int turns;
    boolean resetToolChoice;
    /** Decisions on the paused turn's calls, by call id; cleared once that turn is resolved. */
    final Map<String, RunState.Decision> decisions = new LinkedHashMap<>();
    /** "Always" decisions, by tool name, for the rest of the run. */
    final Map<String, RunState.Decision> toolDecisions = new LinkedHashMap<>();
    /** Paused nested runs (agents used as tools) that the resumed turn continues, by call id. */
    Map<String, RunState> nestedToResume = Map.of();
    @Nullable RunContext<C> ctx;
    RunTrace trace = RunTrace.off();

    LoopState(String runId, Agent<C> agent) {
        this.runId = runId;
        this.agent = agent;
    }

    RunContext<C> ctx() {
        RunContext<C> c = ctx;
        if (c == null) {
            throw new IllegalStateException("the run's context is set up before its first turn");
        }
        return c;
    }

    /** What the active agent's model reads: the history, then the visible run items. */
    List<Item> currentInput() {
        List<Item> all = new ArrayList<>(inputHistory.size() + visible.size());
        all.addAll(inputHistory);
        for (RunItem i : visible) {
            all.add(i.toItem());
        }
        return all;
    }

    /** The run's items, the turn in progress's included: what a failure reports. */
    List<RunItem> itemsSoFar() {
        List<RunItem> all = new ArrayList<>(newItems.size() + pendingTurn.size());
        all.addAll(newItems);
        all.addAll(pendingTurn);
        return List.copyOf(all);
    }

    /** The turn's items become the run's and the model's to read. */
    void commit(List<RunItem> turnItems) {
        newItems.addAll(turnItems);
        pendingTurn = List.of();
        visible.addAll(turnItems);
    }

    /** Opens the active agent's span. */
    void traceAgent() {
        if (trace.on()) {
            trace.agentStarted(agent, agent.tools().stream().map(dev.baton.tool.Tool::name).toList(),
                    agent.handoffs().stream().map(dev.baton.handoff.Handoff::toolName).toList());
        }
    }

    /** The loop's state as a paused run keeps it. */
    RunState.Loop snapshot(Agent<C> startAgent, @Nullable String sessionId, List<GuardrailResult> guardrails, long nextSeq) {
        return new RunState.Loop(runId, nextSeq, new RunState.AgentId(startAgent.name(), startAgent.fingerprint()),
                new RunState.AgentId(agent.name(), agent.fingerprint()), sessionId, startInput, inputHistory,
                List.copyOf(visible), List.copyOf(newItems), turns, ctx().usageByAgent(), resetToolChoice,
                List.copyOf(guardrails), List.copyOf(responses));
    }

    /**
     * Puts back the state of a paused run, after checking it is resumed with the agents it paused
     * with (its context, guardrails and decisions are the loop's to restore); returns what it started from.
     */
    List<Item> restore(RunState.Loop loop, Agent<C> startAgent, @Nullable String sessionId) {
        requireSame(startAgent, loop.startAgent());
        Agent<C> current = AgentAccess.reachableAgents(startAgent).get(loop.currentAgent().name());
        if (current == null) {
            throw new UserError("The run state was paused with agent '" + loop.currentAgent().name() + "', which is not reachable from '"
                    + startAgent.name() + "': resume with the agent the run started with");
        }
        requireSame(current, loop.currentAgent());
        if (sessionId != null && loop.sessionId() != null && !sessionId.equals(loop.sessionId())) {
            throw new UserError("The run state belongs to session '" + loop.sessionId() + "', not '" + sessionId + "'");
        }
        runId = loop.runId();
        agent = current;
        seq = loop.seq();
        startInput = List.copyOf(loop.startInput());
        inputHistory = List.copyOf(loop.inputHistory());
        visible.addAll(loop.visible());
        newItems.addAll(loop.newItems());
        turns = loop.turns();
        resetToolChoice = loop.resetToolChoice();
        responses.addAll(loop.responses());
        return startInput;
    }

    private static void requireSame(Agent<?> agent, RunState.AgentId id) {
        if (!agent.name().equals(id.name()) || !agent.fingerprint().equals(id.fingerprint())) {
            throw new UserError("The run state was paused with agent '" + id.name() + "' (definition " + id.fingerprint()
                    + "), but the agent here is '" + agent.name() + "' (definition " + agent.fingerprint()
                    + "): resume with the same agent definitions");
        }
    }
}
