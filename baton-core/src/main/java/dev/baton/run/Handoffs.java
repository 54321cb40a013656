package dev.baton.run;

import dev.baton.ModelBehaviorError;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.handoff.Handoff;
import dev.baton.handoff.HandoffInputData;
import dev.baton.handoff.HandoffInputFilter;
import dev.baton.handoff.HistoryNesting;
import dev.baton.handoff.TransferMessage;
import dev.baton.internal.AgentAccess;
import dev.baton.internal.HandoffAccess;
import dev.baton.item.Item;
import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.schema.InvalidArgumentsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Carries out the handoff a turn ended with: the first transfer call wins (later ones are
 * answered as ignored) or the agent a tool returned; the on-handoff callback; what the target
 * reads (input filter, nesting); then the handoff turn is committed and the target becomes the
 * active agent.
 */
final class Handoffs<C> {
    private final Agent<C> startAgent;
    private final RunConfig config;
    private final RunOptions<C> options;
    private final LoopState<C> state;
    private final RunEvents<C> events;
    private final HookCalls<C> hooks;
    private final SessionSaves saves;
    /** Agents that tools of this run returned to hand the conversation to, by name. */
    private final Supplier<Map<String, Agent<?>>> toolTargets;
    private final Engine engine;

    Handoffs(Agent<C> startAgent, RunConfig config, RunOptions<C> options, LoopState<C> state, RunEvents<C> events,
            HookCalls<C> hooks, SessionSaves saves, Supplier<Map<String, Agent<?>>> toolTargets, Engine engine) {
        this.startAgent = startAgent;
        this.config = config;
        this.options = options;
        this.state = state;
        this.events = events;
        this.hooks = hooks;
        this.saves = saves;
        this.toolTargets = toolTargets;
        this.engine = engine;
    }

    /**
     * Whether this handoff was carried out by an earlier execution of the run, which the engine
     * replays: the target's first model call is recorded. Its callbacks and span are not repeated.
     */
    private boolean replayed() {
        return engine.replays(state.responses.size() + 1);
    }

    void carryOut(NextStep.HandOff<C> step) {
        if (!step.calls().isEmpty()) {
            fromTransferCall(step.turnItems(), step.calls());
        } else if (step.fromTool() != null) {
            fromTool(step.turnItems(), step.fromTool());
        } else {
            throw new IllegalStateException("a handoff step with neither a transfer call nor a tool's handoff");
        }
    }

    /**
     * Carries out the handoffs of the turn for a caller that routes them itself
     * ({@link RunOptions#withHandoffsToCaller}): every transfer call is answered and reported, the
     * turn is saved, the session is held by the first target; the active agent stays. Returns the
     * targets, in the order of the calls, each once.
     */
    List<Agent<C>> returnToCaller(NextStep.HandOff<C> step) {
        List<RunItem> turnItems = step.turnItems();
        java.util.LinkedHashMap<String, Agent<C>> targets = new java.util.LinkedHashMap<>();
        boolean replayed = replayed();
        if (!step.calls().isEmpty()) {
            for (Classified.HandoffCall<C> c : step.calls()) {
                Handoff<C, ?> handoff = c.handoff();
                Agent<C> target = handoff.target().resolve();
                invokeOnHandoff(handoff, c.call(), target, replayed);
                RunItem.HandoffOutputItem out = new RunItem.HandoffOutputItem(state.agent.name(),
                        new ToolOutput(c.call().callId(), transferOutput(handoff, target)), target.name());
                turnItems.add(out);
                reachedTarget(out, target, replayed);
                targets.putIfAbsent(target.name(), target);
            }
        } else if (step.fromTool() != null) {
            RunItem.HandoffOutputItem placeholder = step.fromTool();
            Agent<C> target = toolHandoffTarget(placeholder.target());
            RunItem.HandoffOutputItem out = new RunItem.HandoffOutputItem(state.agent.name(),
                    new ToolOutput(placeholder.output().callId(), transferOutput(ownHandoffTo(target), target)), target.name());
            turnItems.set(turnItems.indexOf(placeholder), out);
            reachedTarget(out, target, replayed);
            targets.put(target.name(), target);
        } else {
            throw new IllegalStateException("a handoff step with neither a transfer call nor a tool's handoff");
        }
        state.commit(turnItems);
        saves.items(turnItems, state.runId + "/turn" + state.turns);
        saves.activeAgent(targets.values().iterator().next().name());
        return List.copyOf(targets.values());
    }

    private void reachedTarget(RunItem.HandoffOutputItem out, Agent<C> target, boolean replayed) {
        if (!replayed) {
            hooks.handoff(state.ctx(), state.agent, target);
            state.trace.handoff(state.agent.name(), target.name());
        }
        occurred(out, target);
    }

    /** The active agent's own handoff to {@code target}, or a plain one if it has none. */
    private Handoff<C, ?> ownHandoffTo(Agent<C> target) {
        for (Handoff<C, ?> h : state.agent.handoffs()) {
            if (h.targetName().equals(target.name())) {
                return h;
            }
        }
        return Handoff.to(target);
    }

    /** The first handoff call wins; later ones are answered as ignored. Tools of the turn already ran. */
    private void fromTransferCall(List<RunItem> turnItems, List<Classified.HandoffCall<C>> calls) {
        Agent<C> agent = state.agent;
        Classified.HandoffCall<C> chosen = calls.get(0);
        Handoff<C, ?> handoff = chosen.handoff();
        for (Classified.HandoffCall<C> other : calls.subList(1, calls.size())) {
            RunItem.ToolOutputItem ignored = new RunItem.ToolOutputItem(agent.name(), new ToolOutput(other.call().callId(),
                    "Not carried out: only the first handoff of a response is carried out (" + handoff.toolName()
                            + "), so this call to " + other.call().name() + " was ignored."), false);
            turnItems.add(ignored);
            if (events.observed()) {
                events.emit(new RunEvent.HandoffIgnored(state.runId, events.seq(), agent.name(), events.now(), ignored,
                        other.handoff().targetName()));
            }
        }
        Agent<C> target = handoff.target().resolve();
        boolean replayed = replayed();
        invokeOnHandoff(handoff, chosen.call(), target, replayed);
        if (!replayed) {
            hooks.handoff(state.ctx(), agent, target);
            state.trace.handoff(agent.name(), target.name());
        }
        RunItem.HandoffOutputItem out = new RunItem.HandoffOutputItem(agent.name(),
                new ToolOutput(chosen.call().callId(), transferOutput(handoff, target)), target.name());
        turnItems.add(out);
        occurred(out, target);
        switchTo(handoff, target, turnItems);
    }

    /**
     * A tool returned an agent: the conversation passes to it as through a transfer call, with the
     * settings (input filter, nesting) of the agent's own handoff to that target if it has one.
     */
    private void fromTool(List<RunItem> turnItems, RunItem.HandoffOutputItem placeholder) {
        Agent<C> agent = state.agent;
        Agent<C> target = toolHandoffTarget(placeholder.target());
        Handoff<C, ?> handoff = ownHandoffTo(target);
        RunItem.HandoffOutputItem out = new RunItem.HandoffOutputItem(agent.name(),
                new ToolOutput(placeholder.output().callId(), transferOutput(handoff, target)), target.name());
        turnItems.set(turnItems.indexOf(placeholder), out);
        if (!replayed()) {
            hooks.handoff(state.ctx(), agent, target);
            state.trace.handoff(agent.name(), target.name());
        }
        occurred(out, target);
        switchTo(handoff, target, turnItems);
    }

    private void occurred(RunItem.HandoffOutputItem out, Agent<C> target) {
        if (events.observed()) {
            String from = state.agent.name();
            events.emit(new RunEvent.HandoffOccurred(state.runId, events.seq(), from, events.now(), out, from, target.name()));
        }
    }

    /**
     * The agent a tool handed off to: the one it returned in this process, else the agent of that
     * name reachable through handoffs (a replay or a resumed run has only the name).
     */
    @SuppressWarnings("unchecked")
    private Agent<C> toolHandoffTarget(String name) {
        Agent<?> returned = toolTargets.get().get(name);
        Agent<C> reachable = AgentAccess.reachableAgents(startAgent).get(name);
        if (returned != null) {
            if (reachable != null && reachable != returned) {
                throw new UserError("A tool handed off to an agent named '" + name + "' that is not the agent of that name"
                        + " reachable from '" + startAgent.name() + "': agent names must be unique");
            }
            return (Agent<C>) returned;
        }
        if (reachable == null) {
            throw new UserError("Run " + state.runId + " cannot continue: a tool handed the conversation to agent '" + name
                    + "', which is not reachable from '" + startAgent.name() + "' through handoffs here. A replayed or"
                    + " resumed run finds agents by name: make '" + name + "' a handoff target of an agent of this desk");
        }
        return reachable;
    }

    /** Commits the handoff turn and makes {@code target} the active agent, with what it will read. */
    private void switchTo(Handoff<C, ?> handoff, Agent<C> target, List<RunItem> turnItems) {
        // Work out what the target will read before committing anything, so a failing filter or
        // mapper leaves the session as it was before this turn.
        HandoffInputData data = new HandoffInputData(state.inputHistory, List.copyOf(state.visible), turnItems);
        HandoffInputFilter filter = handoff.inputFilter() != null ? handoff.inputFilter()
                : options.handoffInputFilter() != null ? options.handoffInputFilter() : config.handoffInputFilter();
        if (filter != null) {
            HandoffInputData in = data;
            data = Callbacks.call(() -> Callbacks.nonNull(filter.apply(in)), () -> "input filter of handoff '" + handoff.toolName() + "'");
        }
        // An explicit filter already decides what the target reads: only the handoff's own choice nests its result.
        boolean nest = handoff.nestHistoryOverride() != null ? handoff.nestHistoryOverride()
                : filter == null && (options.nestHandoffHistory() != null ? options.nestHandoffHistory() : config.nestHandoffHistory());
        List<Item> nextHistory;
        List<RunItem> nextVisible = new ArrayList<>();
        if (nest) {
            HistoryNesting nesting = handoff.nesting() != null ? handoff.nesting()
                    : options.historyNesting() != null ? options.historyNesting() : config.historyNesting();
            List<Item> transcript = data.toInput();
            nextHistory = Callbacks.call(() -> List.copyOf(Callbacks.nonNull(nesting.nest(transcript))),
                    () -> "history nesting of handoff '" + handoff.toolName() + "'");
        } else {
            nextHistory = data.inputHistory();
            nextVisible.addAll(data.preHandoffItems());
            nextVisible.addAll(data.newItems());
        }

        state.newItems.addAll(turnItems);
        state.pendingTurn = List.of();
        saves.items(turnItems, state.runId + "/turn" + state.turns);
        saves.activeAgent(target.name());
        state.inputHistory = nextHistory;
        state.visible.clear();
        state.visible.addAll(nextVisible);
        String previous = state.agent.name();
        state.agent = target;
        state.resetToolChoice = false;
        if (events.observed()) {
            events.emit(new RunEvent.AgentUpdated(state.runId, events.seq(), target.name(), events.now(), previous));
        }
        state.traceAgent();
        if (!replayed()) {
            hooks.agentStart(state.ctx(), target);
        }
    }

    /** Checks the transfer call's input, and unless the handoff is {@code replayed}, gives it to the handoff's callback. */
    private <I> void invokeOnHandoff(Handoff<C, I> handoff, ToolCall call, Agent<C> target, boolean replayed) {
        Agent<C> agent = state.agent;
        I parsed;
        try {
            parsed = handoff.parseInput(call.arguments());
        } catch (InvalidArgumentsException e) {
            throw new ModelBehaviorError("Invalid input for handoff '" + handoff.toolName() + "' to '" + target.name() + "': "
                    + e.getMessage(), call.arguments(), e);
        }
        if (replayed) {
            return;
        }
        I in = parsed;
        Callbacks.call(() -> {
            HandoffAccess.runCallback(handoff, state.ctx(), in);
            return null;
        }, () -> "onHandoff callback of handoff '" + handoff.toolName() + "' ('" + agent.name() + "' -> '" + target.name() + "')");
    }

    /** The answer to the transfer call: the handoff's message, else the run's, else the runner's. */
    private String transferOutput(Handoff<C, ?> handoff, Agent<C> target) {
        TransferMessage message = handoff.transferMessage() != null ? handoff.transferMessage()
                : options.transferMessage() != null ? options.transferMessage() : config.transferMessage();
        return Callbacks.call(() -> Callbacks.nonNull(message.text(state.agent, target)),
                () -> "transfer message of handoff '" + handoff.toolName() + "'");
    }
}
