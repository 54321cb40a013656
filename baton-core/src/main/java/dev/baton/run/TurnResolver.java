package dev.baton.run;

import dev.baton.RunCancelled;
import dev.baton.agent.Agent;
import dev.baton.item.Image;
import dev.baton.item.Item;
import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.run.Engine.ToolOutcome;
import dev.baton.schema.JsonArguments;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Resolution of a turn whose model has answered: the tool calls run (those needing approval only
 * once decided), their outputs are recorded, and the turn ends in one {@link NextStep}: a handoff,
 * a final output, a pause for approvals, or another turn.
 */
final class TurnResolver<C> {
    private final RunConfig config;
    private final LoopState<C> state;
    private final Engine engine;
    private final Interceptors interceptors;
    private final RunEvents<C> events;
    private final RunGuardrails<C> guardrails;
    private final HookCalls<C> hooks;
    private final Endings<C> endings;
    private final SessionSaves saves;
    private final Runnable checkCancelled;
    private final Supplier<RunCancelled> cancelled;
    private @Nullable ToolCalls<C> toolCalls;

    TurnResolver(RunConfig config, LoopState<C> state, Engine engine, Interceptors interceptors, RunEvents<C> events,
            RunGuardrails<C> guardrails, HookCalls<C> hooks, Endings<C> endings, SessionSaves saves, Runnable checkCancelled,
            Supplier<RunCancelled> cancelled) {
        this.config = config;
        this.interceptors = interceptors;
        this.state = state;
        this.engine = engine;
        this.events = events;
        this.guardrails = guardrails;
        this.hooks = hooks;
        this.endings = endings;
        this.saves = saves;
        this.checkCancelled = checkCancelled;
        this.cancelled = cancelled;
    }

    /** Agents that tools of this run returned to hand the conversation to, by name. */
    Map<String, Agent<?>> toolHandoffTargets() {
        return toolCalls == null ? Map.of() : toolCalls.handoffTargets();
    }

    /**
     * Resolves a turn.
     *
     * @param out the model's output, classified against the turn's offer
     * @param turnItems the turn's items so far (the classified ones); outputs are added to it
     * @param forcedChoice whether the request forced a tool call (see {@code Agent.resetToolChoice()})
     * @param done outputs of the turn's calls that already ran before the turn paused
     * @param output the model's output as it came, kept if the turn pauses
     */
    NextStep<C> resolve(Classified<C> out, List<RunItem> turnItems, TurnPlans.Offer<C> offer, boolean forcedChoice,
            Map<String, RunState.Done> done, List<Item> output) {
        List<ToolCalls.Pending<C>> pendingTools = out.toolCalls();
        List<ToolResult> results = new ArrayList<>(pendingTools.size());
        RunItem.HandoffOutputItem toolHandoff = null;
        if (!pendingTools.isEmpty()) {
            Map<String, ToolOutcome> outcomes = new HashMap<>();
            done.forEach((id, d) -> outcomes.put(id, new ToolOutcome(d.output(), d.error(), List.of(), null, d.handoffTo(), d.images())));
            NextStep.Interrupted<C> paused = runTools(pendingTools, offer, outcomes, output);
            if (paused != null) {
                return paused;
            }
            Agent<C> agent = state.agent;
            for (ToolCalls.Pending<C> p : pendingTools) {
                ToolCall call = p.call();
                ToolOutcome o = outcomes.get(call.callId());
                String text = o.output();
                List<Image> images = o.images();
                if (o.handoffTo() != null) {
                    if (toolHandoff == null && out.handoffCalls().isEmpty()) {
                        // Carried out like a transfer call, which also writes its output.
                        toolHandoff = new RunItem.HandoffOutputItem(agent.name(), new ToolOutput(call.callId(), ""), o.handoffTo());
                        turnItems.add(toolHandoff);
                        continue;
                    }
                    text = "Not carried out: only one handoff of a response is carried out, so the handoff of "
                            + call.name() + " to " + o.handoffTo() + " was ignored.";
                    images = List.of();
                }
                RunItem.ToolOutputItem oi = new RunItem.ToolOutputItem(agent.name(), new ToolOutput(call.callId(), text, images), o.error());
                turnItems.add(oi);
                results.add(new ToolResult(call.name(), call.callId(), call.arguments(), text, o.error()));
                if (events.observed()) {
                    events.emit(new RunEvent.ToolFinished(state.runId, events.seq(), agent.name(), events.now(), oi));
                }
            }
        }
        if (!out.handoffCalls().isEmpty() || toolHandoff != null) {
            return new NextStep.HandOff<>(turnItems, out.handoffCalls(), toolHandoff);
        }
        if (pendingTools.isEmpty()) {
            // A final answer stays pending until the output guardrails pass (see Endings.complete), so
            // a blocked answer is never saved to the session nor shown to a model again.
            String lastText = out.lastText();
            return new NextStep.Final<>(out.lastRefusal() != null ? endings.refused(out.lastRefusal())
                    : endings.finalOutput(lastText == null ? "" : lastText));
        }
        state.commit(turnItems);
        saves.items(turnItems, state.runId + "/turn" + state.turns);
        Agent<C> agent = state.agent;
        Optional<String> finalText = Callbacks.call(() -> Callbacks.nonNull(agent.toolUseBehavior().finalOutput(state.ctx(), results)),
                () -> "tool use behaviour of agent '" + agent.name() + "'");
        if (finalText.isPresent()) {
            return new NextStep.Final<>(finalText.get());
        }
        if (agent.resetToolChoice() && forcedChoice) {
            state.resetToolChoice = true;
        }
        return new NextStep.RunAgain<>();
    }

    /**
     * Runs the calls that may run now, their outcomes added to {@code outcomes}; returns the pause
     * if calls wait for a decision (this turn's, or a nested run's).
     */
    private NextStep.@Nullable Interrupted<C> runTools(List<ToolCalls.Pending<C>> pendingTools, TurnPlans.Offer<C> offer,
            Map<String, ToolOutcome> outcomes, List<Item> output) {
        Agent<C> agent = state.agent;
        List<ApprovalRequest> awaiting = new ArrayList<>();
        List<ToolCalls.Pending<C>> toRun = new ArrayList<>(pendingTools.size());
        for (ToolCalls.Pending<C> p : pendingTools) {
            ToolCall call = p.call();
            if (outcomes.containsKey(call.callId())) {
                continue;
            }
            Tool<C> tool = p.tool();
            if (tool != null && tool.approvalPolicy() != null) {
                RunState.Decision decision = decision(tool, call);
                if (decision == null) {
                    awaiting.add(new ApprovalRequest(call.callId(), agent.name(), tool.name(), call.arguments()));
                    continue;
                }
                if (!decision.approved()) {
                    outcomes.put(call.callId(), new ToolOutcome(rejection(tool.name(), decision.message()), false));
                    continue;
                }
            }
            toRun.add(p);
        }
        Map<String, RunState.Data> nestedPaused = new LinkedHashMap<>();
        if (!toRun.isEmpty()) {
            if (toolCalls == null) {
                toolCalls = new ToolCalls<>(config, hooks, state.trace, checkCancelled, cancelled, engine, interceptors, state.runId);
            }
            toolCalls.turn(state.turns);
            toolCalls.resumeStates(state.nestedToResume);
            List<ToolOutcome> ran = toolCalls.runAll(toRun, state.ctx(), agent, offer.tools().keySet(), offer.handoffs().keySet());
            toolCalls.resumeStates(Map.of());
            state.nestedToResume = Map.of();
            for (int i = 0; i < ran.size(); i++) {
                ToolOutcome o = ran.get(i);
                String callId = toRun.get(i).call().callId();
                if (o.paused() != null) {
                    // An agent used as a tool waits for approvals: this run waits with it.
                    nestedPaused.put(callId, o.paused().data());
                    awaiting.addAll(o.paused().pendingApprovals());
                    continue;
                }
                guardrails.record(o.guardrails());
                outcomes.put(callId, o);
            }
        }
        if (awaiting.isEmpty()) {
            return null;
        }
        Map<String, RunState.Done> ranSoFar = new LinkedHashMap<>();
        outcomes.forEach((id, o) -> ranSoFar.put(id, new RunState.Done(o.output(), o.error(), o.handoffTo(), o.images())));
        return new NextStep.Interrupted<>(output, ranSoFar, awaiting, Map.copyOf(nestedPaused));
    }

    /**
     * The decision on a call that needs approval: the one given on resume, else one recorded with
     * the engine, else an "always" decision on its tool, else the tool's policy; null while it waits.
     */
    private RunState.@Nullable Decision decision(Tool<C> tool, ToolCall call) {
        RunState.Decision decision = state.decisions.get(call.callId());
        if (decision == null) {
            decision = engine.decision(state.turns, call.callId());
        }
        // Arguments that are not a JSON object fail closed: no policy reads them and an
        // "always approve" does not cover them; only a decision on this call lets them run.
        boolean wellFormed = JsonArguments.isObject(call.arguments());
        if (decision == null) {
            RunState.Decision always = state.toolDecisions.get(tool.name());
            if (always != null && (wellFormed || !always.approved())) {
                decision = always;
            }
        }
        if (decision != null || !wellFormed) {
            return decision;
        }
        var policy = tool.approvalPolicy();
        boolean ask = Callbacks.call(() -> policy.requiresApproval(state.ctx(), call.arguments()),
                () -> "approval policy of tool '" + tool.name() + "'");
        return ask ? null : new RunState.Decision(true, null);
    }

    /**
     * What the model reads for a rejected call: always that it did not run, then the reviewer's
     * message, so no model takes a bare message ("Exceeds what the customer paid.") for a result.
     */
    static String rejection(String toolName, @Nullable String message) {
        String refused = "The call was not approved by a human reviewer, so " + toolName + " did not run.";
        return message == null || message.isBlank() ? refused : refused + " The reviewer said: " + message.strip();
    }
}
