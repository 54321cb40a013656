package dev.baton.run;

import dev.baton.BatonException;
import dev.baton.CallbackFailed;
import dev.baton.MaxTurnsExceeded;
import dev.baton.ModelBehaviorError;
import dev.baton.ModelCallFailed;
import dev.baton.ModelRefusalError;
import dev.baton.RunCancelled;
import dev.baton.SessionStoreFailed;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.agent.OutputType;
import dev.baton.InputGuardrailTripwireTriggered;
import dev.baton.OutputGuardrailTripwireTriggered;
import dev.baton.guardrail.GuardrailOutput;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.guardrail.InputGuardrail;
import dev.baton.guardrail.OutputGuardrail;
import dev.baton.handoff.Handoff;
import dev.baton.handoff.HandoffInputData;
import dev.baton.handoff.HandoffInputFilter;
import dev.baton.handoff.HistoryNesting;
import dev.baton.handoff.TransferMessage;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.HandoffSpec;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelSettings;
import dev.baton.model.ModelStreamEvent;
import dev.baton.model.ToolSpec;
import dev.baton.model.Usage;
import dev.baton.run.Engine.ToolOutcome;
import dev.baton.schema.InvalidArgumentsException;
import dev.baton.session.Session;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run: the agent loop as a state machine over turns. A turn calls the active agent's model,
 * records what it said, runs the tools it called, then either follows a handoff, ends with a
 * final output, or goes round again. Every step is reported as a {@link RunEvent} from this
 * thread, in order; events of nested runs come from their tool calls' threads, one delivery at a time.
 */
final class RunLoop<C> {
    private static final Logger log = LoggerFactory.getLogger(RunLoop.class);

    private final Runner runner;
    private final RunConfig config;
    private final Agent<C> startAgent;
    private final List<Item> input;
    private final RunOptions<C> options;
    private final Cancellation cancellation;
    private final boolean streaming;
    private final @Nullable Consumer<RunEvent> sink;
    private String runId;
    /** Performs (or replays) every step with a side effect, and tells the time. */
    private final Engine engine;
    /** Whether the engine journals the run: its events are built for it, its session writes keyed for replay. */
    private final boolean journaled;
    private final @Nullable RunState resumeFrom;
    private final Map<String, RunState.Decision> decisions = new LinkedHashMap<>();
    private final Map<String, RunState.Decision> toolDecisions = new LinkedHashMap<>();
    /** Paused nested runs (agents used as tools) that the resumed turn continues, by call id. */
    private Map<String, RunState> nestedToResume = Map.of();
    private @Nullable ToolCalls<C> toolCalls;
    private final HookCalls<C> hooks;
    private RunTrace trace = RunTrace.off();
    /** Whether anyone reads the events; when nobody does, they are not built at all. */
    private final boolean observed;
    /** Serialises delivery to the sink and listener: nested runs' events arrive from tool threads. */
    private final java.util.concurrent.locks.ReentrantLock delivery = new java.util.concurrent.locks.ReentrantLock();
    /** Whether the last event was delivered; guarded by {@link #delivery}. */
    private boolean delivered;

    private final List<RunItem> newItems = new ArrayList<>();
    private final RunGuardrails<C> guardrails = new RunGuardrails<>(this::guardrailChecked);
    /** Items of the turn in progress, not yet committed; part of what a failure reports. */
    private List<RunItem> pendingTurn = List.of();
    private final List<ModelResponse> responses = new ArrayList<>();
    /** What the active agent's model sees: the (possibly filtered) history, then the visible run items. */
    private List<Item> inputHistory = List.of();
    private final List<RunItem> visible = new ArrayList<>();
    private Agent<C> agent;
    private @Nullable Session session;
    private @Nullable SessionWrites sessionWrites;
    private @Nullable RunContext<C> ctx;
    private long seq;
    private List<Item> startInput = List.of();
    private int turns;
    private boolean resetToolChoice;
    private boolean failed;
    /** Whether the engine performed the turn's model call rather than replaying it; its end hook fires only then. */
    private boolean modelPerformed;

    RunLoop(Runner runner, Agent<C> startAgent, List<Item> input, RunOptions<C> options,
            Cancellation cancellation, boolean streaming, @Nullable Consumer<RunEvent> sink) {
        this(runner, startAgent, input, options, cancellation, streaming, sink, null);
    }

    /** A loop that continues a paused run. */
    RunLoop(Runner runner, Agent<C> startAgent, RunState state, RunOptions<C> options,
            Cancellation cancellation, boolean streaming, @Nullable Consumer<RunEvent> sink) {
        this(runner, startAgent, state.data().startInput(), options, cancellation, streaming, sink, state);
    }

    private RunLoop(Runner runner, Agent<C> startAgent, List<Item> input, RunOptions<C> options,
            Cancellation cancellation, boolean streaming, @Nullable Consumer<RunEvent> sink, @Nullable RunState resumeFrom) {
        this.resumeFrom = resumeFrom;
        this.runner = runner;
        this.config = runner.config();
        this.startAgent = startAgent;
        this.agent = startAgent;
        this.input = List.copyOf(input);
        // A resumed run keeps the options it was started with, where these do not set them again.
        this.options = resumeFrom == null ? options : resumeFrom.data().options().under(options);
        this.cancellation = cancellation;
        this.streaming = streaming;
        this.sink = sink;
        this.engine = this.options.engine() != null ? this.options.engine() : Engine.inMemory();
        this.journaled = engine.journaled();
        this.runId = engine.runId();
        this.observed = sink != null || this.options.listener() != null || journaled;
        this.hooks = new HookCalls<>(config.hooks(), this.options.hooks());
    }

    RunResult execute() {
        SessionLocks.Held lock = null;
        try {
            session = resolveSession();
            if (session != null) {
                try {
                    lock = SessionLocks.acquire(session, resumeFrom != null ? resumeFrom.data().runId() : runId,
                            options.sessionWait() != null ? options.sessionWait() : config.sessionWait(),
                            options.sessionLease() != null ? options.sessionLease() : config.sessionLease());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RunCancelled("Run " + runId + " was cancelled while waiting for session '" + session.id() + "'");
                }
                sessionWrites = new SessionWrites(session, journaled, lock);
            }
            return loop();
        } catch (BatonException e) {
            List<RunItem> soFar = new ArrayList<>(newItems);
            soFar.addAll(pendingTurn);
            e.attachRunData(runId, agent.name(), soFar, responses);
            fail(e);
            throw e;
        } catch (RuntimeException | Error e) {
            fail(e);
            throw e;
        } finally {
            if (lock != null) {
                try {
                    lock.close();
                } catch (Exception e) {
                    log.warn("releasing the lock of session {} failed", session.id(), e);
                }
            }
        }
    }

    private @Nullable Session resolveSession() {
        if (options.session() != null) {
            return options.session();
        }
        if (options.sessionId() == null && resumeFrom != null && resumeFrom.sessionId() != null) {
            return new Session(resumeFrom.sessionId(), config.sessionStore());
        }
        return options.sessionId() != null ? new Session(options.sessionId(), config.sessionStore()) : null;
    }

    /** Loads the session, creates the context and announces the run; the state a first turn starts from. */
    void start() {
        Map<String, Agent<C>> reachable = startAgent.reachableAgents();
        List<Item> history = List.of();
        if (sessionWrites != null) {
            Optional<String> active = sessionWrites.activeAgent();
            if (active.isPresent()) {
                Agent<C> holder = reachable.get(active.get());
                if (holder != null) {
                    agent = holder;
                } else {
                    log.warn("session {} was held by agent '{}', which is not reachable from '{}'; starting with '{}'",
                            session.id(), active.get(), startAgent.name(), startAgent.name());
                }
            }
            history = sessionWrites.items();
        }
        Engine.Start live = new Engine.Start(agent.name(), history.size());
        // A replay starts where the first execution did: same agent, same history (the items
        // this run saved to the session since are its own, and come back from the engine).
        Engine.Start at = engine.start(live);
        if (at != live) {
            Agent<C> recorded = reachable.get(at.agent());
            if (recorded == null) {
                throw new JournalMismatch("Run " + runId + " cannot be replayed: it started with agent '" + at.agent()
                        + "', which is not reachable from '" + startAgent.name() + "' here (agents: " + reachable.keySet() + ")");
            }
            agent = recorded;
            if (history.size() > at.historyItems()) {
                history = List.copyOf(history.subList(0, at.historyItems()));
            }
        }
        ctx = new RunContext<>(options.context(), runId, session == null ? null : session.id(), runner, options);
        trace = RunTrace.start(config, options, session == null ? null : session.id());
        toolDecisions.putAll(options.inheritedToolDecisions());
        ctx.link(trace, toolDecisions, nestedEvents());
        List<Item> all = new ArrayList<>(history.size() + input.size());
        all.addAll(history);
        all.addAll(input);
        startInput = List.copyOf(all);
        inputHistory = startInput;
        if (sessionWrites != null) {
            sessionWrites.save(input, runId + "/input");
        }
        if (observed) {
            emit(new RunEvent.RunStarted(runId, seq++, agent.name(), engine.now(), inputHistory));
        }
        if (observed) {
            emit(new RunEvent.AgentUpdated(runId, seq++, agent.name(), engine.now(), null));
        }
        traceAgent();
        hooks.agentStart(ctx, agent);

    }

    private RunResult loop() {
        try {
            if (resumeFrom == null) {
                start();
            } else {
                Optional<Object> finished = restore(resumeFrom);
                if (finished.isPresent()) {
                    return complete(finished.get());
                }
            }
            return turns();
        } catch (Paused paused) {
            return paused(paused);
        }
    }

    private RunResult turns() {
        int maxTurns = options.maxTurns() != null ? options.maxTurns() : config.maxTurns();
        while (true) {
            checkCancelled();
            if (turns >= maxTurns) {
                Optional<Object> handled = handleError(new RunErrorHandler.Failure.MaxTurns(agent.name(), List.copyOf(newItems), maxTurns));
                if (handled.isPresent()) {
                    return complete(answerFromHandler(handled.get(), false));
                }
                throw new MaxTurnsExceeded(maxTurns);
            }
            turns++;
            if (observed) {
                emit(new RunEvent.TurnStarted(runId, seq++, agent.name(), engine.now(), turns));
            }
            Optional<Object> finalOutput = turn();
            if (finalOutput.isPresent()) {
                return complete(finalOutput.get());
            }
        }
    }

    /** One model call and its consequences; returns the final output if the run is over. */
    private Optional<Object> turn() {
        // The instructions come first: what they (and the agent-start hooks before them) put in the
        // context decides which tools and handoffs are enabled on this turn.
        String instructions = instructions();
        Agent.Offered<C> fixed = agent.fixedOffer();
        Map<String, Tool<C>> tools = fixed != null ? fixed.tools() : enabledTools();
        Map<String, Handoff<C, ?>> handoffs = fixed != null ? fixed.handoffs() : enabledHandoffs();
        ModelRequest request = fixed != null
                ? buildRequest(instructions, fixed.toolSpecs(), fixed.handoffSpecs())
                : buildRequest(instructions, tools, handoffs);
        Model model = runner.resolveModel(agent, options);
        InputGuardrailRun<C> guards = turns == 1 ? guardrails.startInput(ctx, startAgent, agent, options, startInput) : null;
        ModelResponse response;
        try {
            response = callModel(model, request);
        } catch (RuntimeException | Error e) {
            if (guards != null) {
                guardrails.afterFailedCall(guards);
            }
            throw e;
        }
        if (guards != null) {
            // Nothing the model asked for happens before every input guardrail has passed.
            guardrails.finish(guards);
        }
        if (modelPerformed) {
            // After the engine recorded the response: a process that stops here does not ask the model again.
            hooks.modelEnd(ctx, agent, response);
        }
        responses.add(response);
        Usage usage = response.usage().requests() == 0 ? new Usage(1, response.usage().inputTokens(),
                response.usage().outputTokens(), response.usage().totalTokens(), response.usage().cachedInputTokens(),
                response.usage().reasoningTokens()) : response.usage();
        ctx.addUsage(agent.name(), usage);
        if (observed) {
            emit(new RunEvent.ModelResponded(runId, seq++, agent.name(), engine.now(), turns, response));
        }

        Classified<C> out = Classified.classify(agent.name(), response, tools, handoffs, config.unknownTools());
        List<RunItem> turnItems = new ArrayList<>(out.items());
        pendingTurn = turnItems;
        for (RunItem item : observed ? out.items() : List.<RunItem>of()) {
            Instant now = engine.now();
            emit(switch (item) {
                case RunItem.MessageItem m -> new RunEvent.MessageOutput(runId, seq++, agent.name(), now, m);
                case RunItem.ReasoningItem r -> new RunEvent.ReasoningOutput(runId, seq++, agent.name(), now, r);
                case RunItem.ToolCallItem t -> new RunEvent.ToolCalled(runId, seq++, agent.name(), now, t);
                case RunItem.HandoffCallItem h -> new RunEvent.HandoffRequested(runId, seq++, agent.name(), now, h);
                case RunItem.ToolOutputItem o -> throw new IllegalStateException("classification produced an output item");
                case RunItem.HandoffOutputItem o -> throw new IllegalStateException("classification produced an output item");
            });
        }

        boolean forced = request.settings().toolChoice() != null && request.settings().toolChoice().forcesCall();
        return finishTurn(out, turnItems, tools, handoffs, forced, Map.of(), response.output());
    }

    /**
     * The rest of a turn once the model has answered: run the tools (those needing approval only
     * once decided), then follow a handoff, stop with a final output, or go round again. Throws
     * {@link Paused} when calls still wait for approval.
     */
    private Optional<Object> finishTurn(Classified<C> out, List<RunItem> turnItems, Map<String, Tool<C>> tools,
            Map<String, Handoff<C, ?>> handoffs, boolean forcedChoice, Map<String, RunState.Done> done, List<Item> output) {
        Map<String, RunState.Data> nestedPaused = new LinkedHashMap<>();
        List<ToolCalls.Pending<C>> pendingTools = out.toolCalls();
        List<Classified.HandoffCall<C>> handoffCalls = out.handoffCalls();
        String lastText = out.lastText();
        List<ToolResult> results = new ArrayList<>(pendingTools.size());
        RunItem.HandoffOutputItem toolHandoff = null;
        if (!pendingTools.isEmpty()) {
            Map<String, ToolOutcome> outcomes = new java.util.HashMap<>();
            done.forEach((id, d) -> outcomes.put(id, new ToolOutcome(d.output(), d.error(), List.of(), null, d.handoffTo())));
            List<ApprovalRequest> awaiting = new ArrayList<>();
            List<ToolCalls.Pending<C>> toRun = new ArrayList<>(pendingTools.size());
            for (ToolCalls.Pending<C> p : pendingTools) {
                ToolCall call = p.call();
                if (outcomes.containsKey(call.callId())) {
                    continue;
                }
                Tool<C> tool = p.tool();
                if (tool != null && tool.approvalPolicy() != null) {
                    ApprovalRequest request = new ApprovalRequest(call.callId(), agent.name(), tool.name(), call.arguments());
                    RunState.Decision decision = decisions.get(call.callId());
                    if (decision == null) {
                        decision = engine.decision(turns, call.callId());
                    }
                    // Arguments that are not a JSON object fail closed: no policy reads them and an
                    // "always approve" does not cover them; only a decision on this call lets them run.
                    boolean wellFormed = dev.baton.schema.JsonArguments.isObject(call.arguments());
                    if (decision == null) {
                        RunState.Decision always = toolDecisions.get(tool.name());
                        if (always != null && (wellFormed || !always.approved())) {
                            decision = always;
                        }
                    }
                    if (decision == null && !wellFormed) {
                        awaiting.add(request);
                        continue;
                    }
                    if (decision == null) {
                        var policy = tool.approvalPolicy();
                        if (callback(() -> policy.requiresApproval(ctx, call.arguments()),
                                () -> "approval policy of tool '" + tool.name() + "'")) {
                            awaiting.add(request);
                            continue;
                        }
                    } else if (!decision.approved()) {
                        outcomes.put(call.callId(), new ToolOutcome(rejection(tool.name(), decision.message()), false));
                        continue;
                    }
                }
                toRun.add(p);
            }
            if (!toRun.isEmpty()) {
                if (toolCalls == null) {
                    toolCalls = new ToolCalls<>(config, hooks, trace, this::checkCancelled, this::cancelled, engine, runId);
                }
                toolCalls.turn(turns);
                toolCalls.resumeStates(nestedToResume);
                List<ToolOutcome> ran = toolCalls.runAll(toRun, ctx, agent, tools.keySet(), handoffs.keySet());
                toolCalls.resumeStates(Map.of());
                nestedToResume = Map.of();
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
            if (!awaiting.isEmpty()) {
                Map<String, RunState.Done> ranSoFar = new LinkedHashMap<>();
                outcomes.forEach((id, o) -> ranSoFar.put(id, new RunState.Done(o.output(), o.error(), o.handoffTo())));
                throw new Paused(output, ranSoFar, awaiting, Map.copyOf(nestedPaused));
            }
            for (ToolCalls.Pending<C> p : pendingTools) {
                ToolCall call = p.call();
                ToolOutcome o = outcomes.get(call.callId());
                String text = o.output();
                if (o.handoffTo() != null) {
                    if (toolHandoff == null && handoffCalls.isEmpty()) {
                        // Carried out below, like a transfer call, which also writes its output.
                        toolHandoff = new RunItem.HandoffOutputItem(agent.name(), new ToolOutput(call.callId(), ""),
                                o.handoffTo());
                        turnItems.add(toolHandoff);
                        continue;
                    }
                    text = "Not carried out: only one handoff of a response is carried out, so the handoff of "
                            + call.name() + " to " + o.handoffTo() + " was ignored.";
                }
                RunItem.ToolOutputItem oi = new RunItem.ToolOutputItem(agent.name(), new ToolOutput(call.callId(), text), o.error());
                turnItems.add(oi);
                results.add(new ToolResult(call.name(), call.callId(), call.arguments(), text, o.error()));
                if (observed) {
                    emit(new RunEvent.ToolFinished(runId, seq++, agent.name(), engine.now(), oi));
                }
            }
        }

        if (!handoffCalls.isEmpty()) {
            handOff(turnItems, handoffCalls);
            return Optional.empty();
        }
        if (toolHandoff != null) {
            handOffFromTool(turnItems, toolHandoff);
            return Optional.empty();
        }
        if (pendingTools.isEmpty()) {
            // A final answer stays pending until the output guardrails pass (see complete), so a
            // blocked answer is never saved to the session nor shown to a model again.
            if (out.lastRefusal() != null) {
                return Optional.of(refused(out.lastRefusal()));
            }
            return Optional.of(finalOutput(lastText == null ? "" : lastText));
        }
        commit(turnItems);
        {
            Optional<String> finalText = decideAfterTools(results);
            if (finalText.isPresent()) {
                return Optional.of(finalText.get());
            }
            if (agent.resetToolChoice() && forcedChoice) {
                resetToolChoice = true;
            }
            return Optional.empty();
        }
    }

    /** Control flow: the turn waits for approvals. Caught by the loop, which returns a paused result. */
    private static final class Paused extends RuntimeException {
        final List<Item> output;
        final Map<String, RunState.Done> done;
        final List<ApprovalRequest> pending;
        final Map<String, RunState.Data> nested;

        Paused(List<Item> output, Map<String, RunState.Done> done, List<ApprovalRequest> pending, Map<String, RunState.Data> nested) {
            super(null, null, false, false);
            this.output = List.copyOf(output);
            this.done = done;
            this.pending = List.copyOf(pending);
            this.nested = nested;
        }
    }

    /**
     * Puts the loop back where a paused run stopped and finishes its paused turn with the
     * decisions now recorded; returns the final output if that turn ended the run.
     */
    private Optional<Object> restore(RunState state) {
        RunState.Data d = state.data();
        Map<String, Agent<C>> reachable = startAgent.reachableAgents();
        requireSame(startAgent, d.startAgent());
        Agent<C> current = reachable.get(d.currentAgent().name());
        if (current == null) {
            throw new UserError("The run state was paused with agent '" + d.currentAgent().name() + "', which is not reachable from '"
                    + startAgent.name() + "': resume with the agent the run started with");
        }
        requireSame(current, d.currentAgent());
        if (session != null && d.sessionId() != null && !session.id().equals(d.sessionId())) {
            throw new UserError("The run state belongs to session '" + d.sessionId() + "', not '" + session.id() + "'");
        }
        agent = current;
        runId = d.runId();
        seq = d.seq();
        ctx = new RunContext<>(options.context(), runId, session == null ? null : session.id(), runner, options);
        d.usageByAgent().forEach(ctx::addUsage);
        trace = RunTrace.start(config, options, session == null ? null : session.id());
        startInput = List.copyOf(d.startInput());
        inputHistory = List.copyOf(d.inputHistory());
        visible.addAll(d.visible());
        newItems.addAll(d.newItems());
        turns = d.turns();
        resetToolChoice = d.resetToolChoice();
        guardrails.restore(d.guardrailResults());
        responses.addAll(d.responses());
        decisions.putAll(state.decisions());
        toolDecisions.putAll(options.inheritedToolDecisions());
        toolDecisions.putAll(state.toolDecisions());
        ctx.link(trace, toolDecisions, nestedEvents());
        nestedToResume = state.nestedStates();
        if (observed) {
            emit(new RunEvent.AgentUpdated(runId, seq++, agent.name(), engine.now(), null));
        }
        traceAgent();

        Agent.Offered<C> fixed = agent.fixedOffer();
        Map<String, Tool<C>> tools = fixed != null ? fixed.tools() : enabledTools();
        Map<String, Handoff<C, ?>> handoffs = fixed != null ? fixed.handoffs() : enabledHandoffs();
        Classified<C> out = Classified.classify(agent.name(), new ModelResponse(d.pausedOutput(), Usage.zero()), tools, handoffs,
                config.unknownTools());
        List<RunItem> turnItems = new ArrayList<>(out.items());
        pendingTurn = turnItems;
        Optional<Object> finished = finishTurn(out, turnItems, tools, handoffs, false, d.done(), d.pausedOutput());
        // The decisions were for the paused turn's calls; a later turn may reuse a call id and needs its own.
        decisions.clear();
        return finished;
    }

    private static void requireSame(Agent<?> agent, RunState.AgentId id) {
        if (!agent.name().equals(id.name()) || !agent.fingerprint().equals(id.fingerprint())) {
            throw new UserError("The run state was paused with agent '" + id.name() + "' (definition " + id.fingerprint()
                    + "), but the agent here is '" + agent.name() + "' (definition " + agent.fingerprint()
                    + "): resume with the same agent definitions");
        }
    }

    /** The result of a run that waits for approvals; the session keeps its holder, the paused turn is saved on resume. */
    private RunResult paused(Paused paused) {
        saveActiveAgent(agent.name());
        if (sessionWrites != null) {
            sessionWrites.recordUsage(runId, ctx.usage(), engine.now());
        }
        RunState state = new RunState(new RunState.Data(RunState.VERSION, runId, seq + paused.pending.size() + 1,
                new RunState.AgentId(startAgent.name(), startAgent.fingerprint()), new RunState.AgentId(agent.name(), agent.fingerprint()),
                session == null ? null : session.id(), startInput, inputHistory, List.copyOf(visible), List.copyOf(newItems), turns,
                ctx.usageByAgent(), resetToolChoice, paused.output, paused.done, paused.pending, decisions, toolDecisions, paused.nested,
                List.copyOf(guardrails.results()), List.copyOf(responses), RunState.Carried.of(options)));
        List<RunItem> soFar = new ArrayList<>(newItems);
        soFar.addAll(pendingTurn);
        RunResult result = new RunResult(runId, startInput, null, agent.name(), agent, soFar, currentInput(), responses, ctx.usage(),
                ctx.usageByAgent(), turns, guardrails.results(), paused.pending, state);
        if (observed) {
            for (ApprovalRequest r : paused.pending) {
                emit(new RunEvent.ApprovalRequested(runId, seq++, agent.name(), engine.now(), r));
            }
            emit(new RunEvent.RunPaused(runId, seq++, agent.name(), engine.now(), paused.pending));
        }
        trace.end(null);
        return result;
    }

    Map<String, Tool<C>> enabledTools() {
        Map<String, Tool<C>> enabled = new LinkedHashMap<>();
        for (Tool<C> t : agent.tools()) {
            if (callback(() -> t.enabled().test(ctx, agent), () -> "enabling check of tool '" + t.name() + "'")) {
                enabled.put(t.name(), t);
            }
        }
        return enabled;
    }

    Map<String, Handoff<C, ?>> enabledHandoffs() {
        Map<String, Handoff<C, ?>> enabled = new LinkedHashMap<>();
        for (Handoff<C, ?> h : agent.handoffs()) {
            if (callback(() -> h.enabled().test(ctx, agent), () -> "enabling check of handoff '" + h.toolName() + "'")) {
                enabled.put(h.toolName(), h);
            }
        }
        return enabled;
    }

    ModelRequest buildRequest(String instructions, Map<String, Tool<C>> tools, Map<String, Handoff<C, ?>> handoffs) {
        List<ToolSpec> toolSpecs = new ArrayList<>(tools.size());
        for (Tool<C> t : tools.values()) {
            toolSpecs.add(t.spec());
        }
        List<HandoffSpec> handoffSpecs = new ArrayList<>(handoffs.size());
        for (Handoff<C, ?> h : handoffs.values()) {
            handoffSpecs.add(h.spec());
        }
        return buildRequest(instructions, toolSpecs, handoffSpecs);
    }

    /** The request of a turn that offers these specs, instructions included. */
    ModelRequest buildRequest(List<ToolSpec> toolSpecs, List<HandoffSpec> handoffSpecs) {
        return buildRequest(instructions(), toolSpecs, handoffSpecs);
    }

    private String instructions() {
        return callback(() -> agent.instructions(ctx), () -> "instructions of agent '" + agent.name() + "'");
    }

    private ModelRequest buildRequest(String instructions, List<ToolSpec> toolSpecs, List<HandoffSpec> handoffSpecs) {
        ModelSettings settings = agent.modelSettings()
                .overriddenBy(config.modelSettings())
                .overriddenBy(options.modelSettings());
        if (resetToolChoice) {
            settings = settings.withToolChoice(null);
        }
        OutputType<?> outputType = agent.outputType();
        return new ModelRequest(agent.name(), instructions, currentInput(), toolSpecs, handoffSpecs,
                outputType == null ? null : outputType.schema(), settings);
    }

    private void traceAgent() {
        if (trace.on()) {
            trace.agentStarted(agent, agent.tools().stream().map(Tool::name).toList(),
                    agent.handoffs().stream().map(Handoff::toolName).toList());
        }
    }

    /** A guardrail result: traced, and reported as an event. */
    private void guardrailChecked(GuardrailResult r) {
        trace.guardrail(r);
        if (observed) {
            emit(new RunEvent.GuardrailChecked(runId, seq++, agent.name(), engine.now(), r));
        }
    }

    private List<Item> currentInput() {
        List<Item> all = new ArrayList<>(inputHistory.size() + visible.size());
        all.addAll(inputHistory);
        for (RunItem i : visible) {
            all.add(i.toItem());
        }
        return all;
    }

    /** The turn's model call as a step of the engine, which performs it or replays its recorded response. */
    private ModelResponse callModel(Model model, ModelRequest request) {
        checkCancelled();
        // A person answers a human agent's turns, whatever model the run names for the others.
        String modelName = options.modelName() != null && !dev.baton.human.HumanAgent.isHuman(agent)
                ? options.modelName() : agent.modelName();
        modelPerformed = false;
        try {
            return engine.model(new Engine.ModelStep(responses.size() + 1, agent.name(), modelName, request),
                    () -> performModel(model, modelName, request));
        } catch (BatonException e) {
            throw e;
        } catch (RuntimeException e) {
            // A tripped parallel guardrail interrupted the call: the tripwire is the run's outcome.
            guardrails.throwIfTripped();
            if (cancellation.isCancelled() || Thread.currentThread().isInterrupted()) {
                throw cancelled();
            }
            throw new ModelCallFailed("Model call for agent '" + agent.name() + "' failed: " + message(e), e);
        }
    }

    /** The model call itself, with its start hook and span: what a replayed step does not do again. */
    private ModelResponse performModel(Model model, @Nullable String modelName, ModelRequest request) {
        modelPerformed = true;
        hooks.modelStart(ctx, agent, request);
        dev.baton.trace.Tracer.ActiveSpan span = trace.modelStarted(agent.name(), modelName, request.input());
        ModelResponse response;
        try {
            response = streaming ? model.stream(request, this::onModelEvent) : model.respond(request);
        } catch (RuntimeException | Error e) {
            RunTrace.failed(span, e);
            throw e;
        }
        if (response == null) {
            ModelBehaviorError error = new ModelBehaviorError("Model for agent '" + agent.name() + "' returned no response");
            RunTrace.failed(span, error);
            throw error;
        }
        trace.modelEnded(span, agent.name(), modelName, request.input(), response);
        return response;
    }

    private void onModelEvent(ModelStreamEvent event) {
        if (event instanceof ModelStreamEvent.TextDelta d && !d.text().isEmpty()) {
            if (observed) {
                emit(new RunEvent.TextDelta(runId, seq++, agent.name(), engine.now(), d.text()));
            }
        }
    }

    /** The agent's final text as its output type, or the text itself for a plain-text agent. */
    private Object finalOutput(String text) {
        OutputType<?> type = agent.outputType();
        if (type == null) {
            return text;
        }
        try {
            return type.parse(text);
        } catch (InvalidArgumentsException e) {
            String message = "Final output of agent '" + agent.name() + "' is not a valid " + type.name() + ": " + e.getMessage();
            Optional<Object> handled = handleError(new RunErrorHandler.Failure.InvalidOutput(agent.name(), itemsSoFar(), text, message));
            if (handled.isPresent()) {
                return answerFromHandler(handled.get(), true);
            }
            throw new ModelBehaviorError(message, text, e);
        }
    }

    /**
     * The run error handler's answer becomes the last agent's final message, as if the model had
     * written it: it is in the run's items and events and is saved with the run. An answer to
     * invalid output takes the place of the invalid message; a refusal stays before the answer.
     *
     * @throws UserError if the answer does not fit the agent's output type
     */
    private Object answerFromHandler(Object output, boolean replacesInvalidMessage) {
        String text = handlerText(output);
        RunItem.MessageItem message = new RunItem.MessageItem(agent.name(), Message.assistant(text));
        List<RunItem> finalTurn = new ArrayList<>(pendingTurn);
        if (replacesInvalidMessage) {
            for (int i = finalTurn.size() - 1; i >= 0; i--) {
                if (finalTurn.get(i) instanceof RunItem.MessageItem) {
                    finalTurn.remove(i);
                    break;
                }
            }
        }
        finalTurn.add(message);
        pendingTurn = finalTurn;
        if (observed) {
            if (streaming && !text.isEmpty()) {
                emit(new RunEvent.TextDelta(runId, seq++, agent.name(), engine.now(), text));
            }
            emit(new RunEvent.MessageOutput(runId, seq++, agent.name(), engine.now(), message));
        }
        return output;
    }

    /** The handler's answer as the text the agent's model would have written for it. */
    private String handlerText(Object output) {
        OutputType<?> type = agent.outputType();
        if (type == null) {
            if (output instanceof String text) {
                return text;
            }
            throw new UserError("The run error handler answered with a " + output.getClass().getName() + " for agent '"
                    + agent.name() + "', whose output is plain text: return a String");
        }
        if (!OutputTypes.fits(type, output)) {
            throw new UserError("The run error handler answered with a " + output.getClass().getName() + " for agent '"
                    + agent.name() + "', whose output type is " + type.name() + ": return a " + type.name());
        }
        try {
            Object json = type.wrapped() ? Map.of(OutputType.WRAPPER_PROPERTY, output) : output;
            return dev.baton.schema.JsonSchemas.mapper().writeValueAsString(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UserError("The run error handler's answer for agent '" + agent.name() + "' cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** The final answer is a refusal: never parsed as output; the error handler's output, or a {@link ModelRefusalError}. */
    private Object refused(String refusal) {
        Optional<Object> handled = handleError(new RunErrorHandler.Failure.Refusal(agent.name(), itemsSoFar(), refusal));
        if (handled.isPresent()) {
            return answerFromHandler(handled.get(), false);
        }
        throw new ModelRefusalError(agent.name(), refusal);
    }

    /** The run's items, the final turn's still pending ones included: what a failure reports. */
    private List<RunItem> itemsSoFar() {
        List<RunItem> all = new ArrayList<>(newItems.size() + pendingTurn.size());
        all.addAll(newItems);
        all.addAll(pendingTurn);
        return List.copyOf(all);
    }

    private Optional<Object> handleError(RunErrorHandler.Failure failure) {
        RunErrorHandler handler = options.errorHandler();
        if (handler == null) {
            return Optional.empty();
        }
        return callback(() -> nonNull(handler.handle(failure)), () -> "run error handler");
    }

    private Optional<String> decideAfterTools(List<ToolResult> results) {
        return callback(() -> nonNull(agent.toolUseBehavior().finalOutput(ctx, results)),
                () -> "tool use behaviour of agent '" + agent.name() + "'");
    }

    /** The first handoff call wins; later ones are answered as ignored. Tools of the turn already ran. */
    private void handOff(List<RunItem> turnItems, List<Classified.HandoffCall<C>> calls) {
        Classified.HandoffCall<C> chosen = calls.get(0);
        Handoff<C, ?> handoff = chosen.handoff();
        for (Classified.HandoffCall<C> other : calls.subList(1, calls.size())) {
            RunItem.ToolOutputItem ignored = new RunItem.ToolOutputItem(agent.name(), new ToolOutput(other.call().callId(),
                    "Not carried out: only the first handoff of a response is carried out (" + handoff.toolName()
                            + "), so this call to " + other.call().name() + " was ignored."), false);
            turnItems.add(ignored);
            if (observed) {
                emit(new RunEvent.HandoffIgnored(runId, seq++, agent.name(), engine.now(), ignored, other.handoff().targetName()));
            }
        }
        Agent<C> target = handoff.target().resolve();
        invokeOnHandoff(handoff, chosen.call(), target);
        hooks.handoff(ctx, agent, target);
        trace.handoff(agent.name(), target.name());
        RunItem.HandoffOutputItem out = new RunItem.HandoffOutputItem(agent.name(),
                new ToolOutput(chosen.call().callId(), transferOutput(handoff, target)), target.name());
        turnItems.add(out);
        if (observed) {
            emit(new RunEvent.HandoffOccurred(runId, seq++, agent.name(), engine.now(), out, agent.name(), target.name()));
        }
        switchTo(handoff, target, turnItems);
    }

    /**
     * A tool returned an agent: the conversation passes to it as through a transfer call, with the
     * settings (input filter, nesting) of the agent's own handoff to that target if it has one.
     */
    private void handOffFromTool(List<RunItem> turnItems, RunItem.HandoffOutputItem placeholder) {
        Agent<C> target = toolHandoffTarget(placeholder.target());
        Handoff<C, ?> handoff = null;
        for (Handoff<C, ?> h : agent.handoffs()) {
            if (h.targetName().equals(target.name())) {
                handoff = h;
                break;
            }
        }
        if (handoff == null) {
            handoff = Handoff.to(target);
        }
        RunItem.HandoffOutputItem out = new RunItem.HandoffOutputItem(agent.name(),
                new ToolOutput(placeholder.output().callId(), transferOutput(handoff, target)), target.name());
        turnItems.set(turnItems.indexOf(placeholder), out);
        hooks.handoff(ctx, agent, target);
        trace.handoff(agent.name(), target.name());
        if (observed) {
            emit(new RunEvent.HandoffOccurred(runId, seq++, agent.name(), engine.now(), out, agent.name(), target.name()));
        }
        switchTo(handoff, target, turnItems);
    }

    /**
     * The agent a tool handed off to: the one it returned in this process, else the agent of that
     * name reachable through handoffs (a replay or a resumed run has only the name).
     */
    @SuppressWarnings("unchecked")
    private Agent<C> toolHandoffTarget(String name) {
        Agent<?> returned = toolCalls == null ? null : toolCalls.handoffTargets().get(name);
        Agent<C> reachable = startAgent.reachableAgents().get(name);
        if (returned != null) {
            if (reachable != null && reachable != returned) {
                throw new UserError("A tool handed off to an agent named '" + name + "' that is not the agent of that name"
                        + " reachable from '" + startAgent.name() + "': agent names must be unique");
            }
            return (Agent<C>) returned;
        }
        if (reachable == null) {
            throw new UserError("Run " + runId + " cannot continue: a tool handed the conversation to agent '" + name
                    + "', which is not reachable from '" + startAgent.name() + "' through handoffs here. A replayed or"
                    + " resumed run finds agents by name: make '" + name + "' a handoff target of an agent of this desk");
        }
        return reachable;
    }

    /** Commits the handoff turn and makes {@code target} the active agent, with what it will read. */
    private void switchTo(Handoff<C, ?> handoff, Agent<C> target, List<RunItem> turnItems) {
        // Work out what the target will read before committing anything, so a failing filter or
        // mapper leaves the session as it was before this turn.
        List<RunItem> before = List.copyOf(visible);
        HandoffInputData data = new HandoffInputData(inputHistory, before, turnItems);
        HandoffInputFilter filter = handoff.inputFilter() != null ? handoff.inputFilter()
                : options.handoffInputFilter() != null ? options.handoffInputFilter() : config.handoffInputFilter();
        if (filter != null) {
            HandoffInputData in = data;
            data = callback(() -> nonNull(filter.apply(in)), () -> "input filter of handoff '" + handoff.toolName() + "'");
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
            nextHistory = callback(() -> List.copyOf(nonNull(nesting.nest(transcript))),
                    () -> "history nesting of handoff '" + handoff.toolName() + "'");
        } else {
            nextHistory = data.inputHistory();
            nextVisible.addAll(data.preHandoffItems());
            nextVisible.addAll(data.newItems());
        }

        newItems.addAll(turnItems);
        pendingTurn = List.of();
        saveItems(turnItems);
        saveActiveAgent(target.name());
        inputHistory = nextHistory;
        visible.clear();
        visible.addAll(nextVisible);
        String previous = agent.name();
        agent = target;
        resetToolChoice = false;
        if (observed) {
            emit(new RunEvent.AgentUpdated(runId, seq++, agent.name(), engine.now(), previous));
        }
        traceAgent();
        hooks.agentStart(ctx, agent);
    }

    private <I> void invokeOnHandoff(Handoff<C, I> handoff, ToolCall call, Agent<C> target) {
        I parsed;
        try {
            parsed = handoff.parseInput(call.arguments());
        } catch (InvalidArgumentsException e) {
            throw new ModelBehaviorError("Invalid input for handoff '" + handoff.toolName() + "' to '" + target.name() + "': "
                    + e.getMessage(), call.arguments(), e);
        }
        I in = parsed;
        callback(() -> {
            handoff.runCallback(ctx, in);
            return null;
        }, () -> "onHandoff callback of handoff '" + handoff.toolName() + "' ('" + agent.name() + "' -> '" + target.name() + "')");
    }

    /** The answer to the transfer call: the handoff's message, else the run's, else the runner's. */
    private String transferOutput(Handoff<C, ?> handoff, Agent<C> target) {
        TransferMessage message = handoff.transferMessage() != null ? handoff.transferMessage()
                : options.transferMessage() != null ? options.transferMessage() : config.transferMessage();
        return callback(() -> nonNull(message.text(agent, target)), () -> "transfer message of handoff '" + handoff.toolName() + "'");
    }

    private void commit(List<RunItem> turnItems) {
        newItems.addAll(turnItems);
        pendingTurn = List.of();
        visible.addAll(turnItems);
        saveItems(turnItems);
    }

    private void saveItems(List<RunItem> turnItems) {
        if (sessionWrites != null) {
            sessionWrites.saveRunItems(turnItems, runId + "/turn" + turns);
        }
    }

    private void saveActiveAgent(String agentName) {
        if (sessionWrites != null) {
            sessionWrites.setActiveAgent(agentName);
        }
    }

    private RunResult complete(Object output) {
        guardrails.checkOutput(ctx, agent, options, output);
        if (!pendingTurn.isEmpty()) {
            List<RunItem> finalTurn = pendingTurn;
            newItems.addAll(finalTurn);
            pendingTurn = List.of();
            visible.addAll(finalTurn);
            if (sessionWrites != null) {
                sessionWrites.saveRunItems(finalTurn, runId + "/final");
            }
        }
        hooks.agentEnd(ctx, agent, output);
        saveActiveAgent(agent.name());
        if (sessionWrites != null) {
            sessionWrites.recordUsage(runId, ctx.usage(), engine.now());
        }
        RunResult result = new RunResult(runId, startInput, output, agent.name(), agent, newItems, currentInput(),
                responses, ctx.usage(), ctx.usageByAgent(), turns, guardrails.results(), List.of(), null);
        if (observed) {
            emit(new RunEvent.RunCompleted(runId, seq++, agent.name(), engine.now(), output));
        }
        trace.end(null);
        return result;
    }

    /** Runs application code, turning its failure into a {@link CallbackFailed} that names it. */
    private <T> T callback(Supplier<T> code, Supplier<String> what) {
        try {
            return code.get();
        } catch (BatonException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CallbackFailed("The " + what.get() + " failed: " + message(e), e);
        }
    }

    private static <T> T nonNull(@Nullable T value) {
        if (value == null) {
            throw new NullPointerException("returned null");
        }
        return value;
    }

    private void emit(RunEvent event) {
        if (journaled && !(event instanceof RunEvent.TextDelta)) {
            if (event.isTerminal()) {
                try {
                    engine.event(event);
                } catch (RuntimeException e) {
                    // The outcome is decided and reported by the runner; a journal that fails now loses nothing recorded.
                    log.warn("journaling the last event of run {} failed", runId, e);
                }
            } else {
                engine.event(event);
            }
        }
        delivery.lock();
        try {
            if (event.isTerminal()) {
                delivered = true;
            }
            deliver(event);
        } finally {
            delivery.unlock();
        }
    }

    /** Where nested runs send their events, or null when nobody reads this run's. */
    private RunContext.@Nullable NestedEvents nestedEvents() {
        return sink == null && options.listener() == null ? null : new RunContext.NestedEvents(this::emitNested, streaming);
    }

    /**
     * An event of a nested run, from the thread of the tool call that runs it: to the stream and
     * listener (in turn with this run's own events), not to the journal, and not after this run's
     * last event (a nested run that outlived its timed-out call).
     */
    private void emitNested(RunEvent.Nested event) {
        delivery.lock();
        try {
            if (delivered) {
                return;
            }
            deliver(event);
        } catch (CallbackFailed e) {
            throw new NestedListenerFailed(runId, e);
        } finally {
            delivery.unlock();
        }
    }

    private void deliver(RunEvent event) {
        if (sink != null) {
            sink.accept(event);
        }
        Consumer<RunEvent> listener = options.listener();
        if (listener != null) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                if (event.isTerminal()) {
                    // The run's outcome is decided; a listener must not turn it into a second ending.
                    log.warn("event listener failed on the last event of run {}", runId, e);
                    return;
                }
                throw new CallbackFailed("The run's event listener failed on " + event.getClass().getSimpleName()
                        + ": " + message(e), e);
            }
        }
    }

    private void fail(Throwable error) {
        if (failed) {
            return;
        }
        failed = true;
        trace.end(error);
        if (observed) {
            emit(new RunEvent.RunFailed(runId, seq++, agent.name(), engine.now(), error));
        }
    }

    private void checkCancelled() {
        if (cancellation.isCancelled() || Thread.currentThread().isInterrupted()) {
            guardrails.throwIfTripped();
            throw cancelled();
        }
    }

    private RunCancelled cancelled() {
        return new RunCancelled("Run " + runId + " was cancelled");
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
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
