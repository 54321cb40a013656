package dev.baton.run;

import dev.baton.JournalMismatch;
import dev.baton.BatonException;
import dev.baton.internal.AgentAccess;
import dev.baton.internal.RunFailures;
import dev.baton.MaxTurnsExceeded;
import dev.baton.RunCancelled;
import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.item.RunItem;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.session.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run: the agent loop as a state machine over turns. A turn plans the active agent's request
 * ({@link TurnPlans}), asks the {@link Engine} for the model call, and resolves the response into
 * one {@link NextStep} ({@link TurnResolver}): another turn, a handoff ({@link Handoffs}), a final
 * output or a pause ({@link Endings}). What changes as the run goes is in its {@link LoopState};
 * every step is reported as a {@link RunEvent} ({@link RunEvents}). A new run and a resumed one
 * are set up by the same path.
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
    /** Performs (or replays) every step with a side effect, and tells the time. */
    private final Engine engine;
    private final @Nullable RunState resumeFrom;
    private final LoopState<C> state;
    private final RunEvents<C> events;
    private final HookCalls<C> hooks;
    private final RunGuardrails<C> guardrails = new RunGuardrails<>(this::guardrailChecked);
    private final SessionSaves saves = new SessionSaves();
    private final TurnPlans<C> plans;
    private final Endings<C> endings;
    private final TurnResolver<C> resolver;
    private final Handoffs<C> handoffs;
    private final ModelCalls<C> modelCalls;
    private @Nullable Session session;
    private boolean failed;

    RunLoop(Runner runner, Agent<C> startAgent, List<Item> input, RunOptions<C> options,
            Cancellation cancellation, boolean streaming, @Nullable Consumer<RunEvent> sink) {
        this(runner, startAgent, input, options, cancellation, streaming, sink, null);
    }

    /** A loop that continues a paused run. */
    RunLoop(Runner runner, Agent<C> startAgent, RunState state, RunOptions<C> options,
            Cancellation cancellation, boolean streaming, @Nullable Consumer<RunEvent> sink) {
        this(runner, startAgent, state.data().loop().startInput(), options, cancellation, streaming, sink, state);
    }

    private RunLoop(Runner runner, Agent<C> startAgent, List<Item> input, RunOptions<C> options,
            Cancellation cancellation, boolean streaming, @Nullable Consumer<RunEvent> sink, @Nullable RunState resumeFrom) {
        this.resumeFrom = resumeFrom;
        this.runner = runner;
        this.config = runner.config();
        this.startAgent = startAgent;
        this.input = List.copyOf(input);
        // A resumed run keeps the options it was started with, where these do not set them again.
        this.options = resumeFrom == null ? options : resumeFrom.data().options().under(options);
        this.cancellation = cancellation;
        this.streaming = streaming;
        this.engine = this.options.engine() != null ? this.options.engine() : Engine.inMemory();
        this.state = new LoopState<>(engine.runId(), startAgent);
        this.events = new RunEvents<>(state, engine, sink, this.options.listener(), streaming);
        this.hooks = new HookCalls<>(config.hooks(), this.options.hooks());
        this.plans = new TurnPlans<>(config, this.options, state);
        this.endings = new Endings<>(startAgent, this.options, state, events, guardrails, hooks, saves);
        Interceptors chains = runner.interceptors().with(this.options.modelInterceptors(), this.options.toolInterceptors());
        this.resolver = new TurnResolver<>(config, state, engine, chains, events, guardrails, hooks, endings, saves,
                this::checkCancelled, this::cancelled);
        this.handoffs = new Handoffs<>(startAgent, config, this.options, state, events, hooks, saves, resolver::toolHandoffTargets, engine);
        this.modelCalls = new ModelCalls<>(this.options, state, engine, chains, events, hooks, guardrails, cancellation,
                this::checkCancelled, this::cancelled);
    }

    RunResult execute() {
        SessionLocks.Held lock = null;
        try {
            session = resolveSession();
            if (session != null) {
                try {
                    lock = SessionLocks.acquire(session, resumeFrom != null ? resumeFrom.runId() : state.runId,
                            options.sessionWait() != null ? options.sessionWait() : config.sessionWait(),
                            options.sessionLease() != null ? options.sessionLease() : config.sessionLease());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RunCancelled("Run " + state.runId + " was cancelled while waiting for session '" + session.id() + "'");
                }
                saves.bind(new SessionWrites(session, engine.journaled(), lock));
            }
            return loop();
        } catch (BatonException e) {
            RunFailures.attach(e, new BatonException.RunData(state.runId, state.agent.name(), state.itemsSoFar(), state.responses));
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

    private @Nullable String sessionId() {
        return session == null ? null : session.id();
    }

    private RunResult loop() {
        NextStep<C> step = setUp();
        while (true) {
            switch (step) {
                case NextStep.Final<C> f -> {
                    return endings.complete(f.output());
                }
                case NextStep.Interrupted<C> i -> {
                    return endings.paused(i, sessionId());
                }
                case NextStep.HandOff<C> h -> {
                    if (options.handoffsToCaller()) {
                        return endings.handedOff(handoffs.returnToCaller(h));
                    }
                    handoffs.carryOut(h);
                    step = nextTurn();
                }
                case NextStep.RunAgain<C> r -> step = nextTurn();
            }
        }
    }

    /**
     * Sets the run up, new or resumed, and returns its first step: a new run's first turn, or how
     * a paused run's turn ends with the decisions now recorded.
     */
    private NextStep<C> setUp() {
        RunState.@Nullable Data paused = resumeFrom == null ? null : resumeFrom.data();
        List<Item> history = paused == null ? startingPoint() : state.restore(paused.loop(), startAgent, sessionId());
        RunContext<C> ctx = new RunContext<>(options.context(), state.runId, sessionId(), runner, options);
        state.ctx = ctx;
        state.trace = RunTrace.start(config, options, sessionId());
        state.toolDecisions.putAll(options.inheritedToolDecisions());
        if (resumeFrom != null && paused != null) {
            paused.loop().usageByAgent().forEach(ctx::addUsage);
            guardrails.restore(paused.loop().guardrailResults());
            state.decisions.putAll(resumeFrom.decisions());
            state.toolDecisions.putAll(resumeFrom.toolDecisions());
            state.nestedToResume = resumeFrom.nestedStates();
        }
        ctx.link(state.trace, state.toolDecisions, events.nested());
        if (paused == null) {
            List<Item> all = new ArrayList<>(history.size() + input.size());
            all.addAll(history);
            all.addAll(input);
            state.startInput = List.copyOf(all);
            state.inputHistory = state.startInput;
            saves.input(input, state.runId + "/input");
            if (events.observed()) {
                events.emit(new RunEvent.RunStarted(state.runId, events.seq(), state.agent.name(), engine.now(), state.inputHistory));
            }
        }
        if (events.observed()) {
            events.emit(new RunEvent.AgentUpdated(state.runId, events.seq(), state.agent.name(), engine.now(), null));
        }
        state.traceAgent();
        if (paused == null) {
            if (!engine.replays(state.responses.size() + 1)) {
                hooks.agentStart(ctx, state.agent);
            }
            return nextTurn();
        }
        return resumeTurn(paused.pause());
    }

    /** A new run's agent and history: the session's holder and items, or where the engine says the run started. */
    private List<Item> startingPoint() {
        Map<String, Agent<C>> reachable = AgentAccess.reachableAgents(startAgent);
        List<Item> history = List.of();
        SessionWrites writes = saves.writes();
        if (writes != null) {
            Optional<String> active = options.handoffsToCaller() ? Optional.empty() : writes.activeAgent();
            if (active.isPresent()) {
                Agent<C> holder = reachable.get(active.get());
                if (holder != null) {
                    state.agent = holder;
                } else {
                    log.warn("session {} was held by agent '{}', which is not reachable from '{}'; starting with '{}'",
                            writes.id(), active.get(), startAgent.name(), startAgent.name());
                }
            }
            history = writes.items();
        }
        Engine.Start live = new Engine.Start(state.agent.name(), history.size());
        // A replay starts where the first execution did: same agent, same history (the items
        // this run saved to the session since are its own, and come back from the engine).
        Engine.Start at = engine.start(live);
        if (at != live) {
            Agent<C> recorded = reachable.get(at.agent());
            if (recorded == null) {
                throw new JournalMismatch("Run " + state.runId + " cannot be replayed: it started with agent '" + at.agent()
                        + "', which is not reachable from '" + startAgent.name() + "' here (agents: " + reachable.keySet() + ")");
            }
            state.agent = recorded;
            if (history.size() > at.historyItems()) {
                history = List.copyOf(history.subList(0, at.historyItems()));
            }
        }
        return history;
    }

    /** Finishes the paused turn with the decisions now recorded. */
    private NextStep<C> resumeTurn(RunState.Pause pause) {
        TurnPlans.Offer<C> offer = plans.offer();
        Classified<C> out = Classified.classify(state.agent.name(), new ModelResponse(pause.output(), Usage.zero()), offer.tools(),
                offer.handoffs(), config.unknownTools());
        List<RunItem> turnItems = new ArrayList<>(out.items());
        state.pendingTurn = turnItems;
        NextStep<C> next = resolver.resolve(out, turnItems, offer, false, pause.done(), pause.output());
        if (!(next instanceof NextStep.Interrupted<C>)) {
            // The decisions were for the paused turn's calls; a later turn may reuse a call id and needs its own.
            state.decisions.clear();
        }
        return next;
    }

    /** The next turn, unless the run has reached its turn limit. */
    private NextStep<C> nextTurn() {
        checkCancelled();
        int maxTurns = options.maxTurns() != null ? options.maxTurns() : config.maxTurns();
        if (state.turns >= maxTurns) {
            Optional<Object> handled = endings.afterMaxTurns(maxTurns);
            if (handled.isPresent()) {
                return new NextStep.Final<>(handled.get());
            }
            throw new MaxTurnsExceeded(maxTurns);
        }
        state.turns++;
        if (events.observed()) {
            events.emit(new RunEvent.TurnStarted(state.runId, events.seq(), state.agent.name(), engine.now(), state.turns));
        }
        return turn();
    }

    /** One model call, its response resolved into the turn's next step. */
    private NextStep<C> turn() {
        TurnPlans.Plan<C> plan = plans.plan();
        Agent<C> agent = state.agent;
        RunContext<C> ctx = state.ctx();
        Model model = runner.resolveModel(agent, options);
        InputGuardrailRun<C> guards = state.turns == 1 ? guardrails.startInput(ctx, startAgent, agent, options, state.startInput) : null;
        ModelResponse response;
        try {
            response = modelCalls.call(model, plan.request());
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
        if (modelCalls.performed()) {
            // After the engine recorded the response: a process that stops here does not ask the model again.
            hooks.modelEnd(ctx, agent, response);
        }
        state.responses.add(response);
        Usage u = response.usage();
        ctx.addUsage(agent.name(), u.requests() == 0
                ? new Usage(1, u.inputTokens(), u.outputTokens(), u.totalTokens(), u.cachedInputTokens(), u.reasoningTokens()) : u);
        if (events.observed()) {
            events.emit(new RunEvent.ModelResponded(state.runId, events.seq(), agent.name(), engine.now(), state.turns, response));
        }
        Classified<C> out = Classified.classify(agent.name(), response, plan.offer().tools(), plan.offer().handoffs(),
                config.unknownTools());
        List<RunItem> turnItems = new ArrayList<>(out.items());
        state.pendingTurn = turnItems;
        events.items(out.items());
        boolean forced = plan.request().settings().toolChoice() != null && plan.request().settings().toolChoice().forcesCall();
        return resolver.resolve(out, turnItems, plan.offer(), forced, Map.of(), response.output());
    }

    /** A guardrail result: traced, and reported as an event. */
    private void guardrailChecked(dev.baton.guardrail.GuardrailResult r) {
        state.trace.guardrail(r);
        if (events.observed()) {
            events.emit(new RunEvent.GuardrailChecked(state.runId, events.seq(), state.agent.name(), engine.now(), r));
        }
    }

    private void fail(Throwable error) {
        if (failed) {
            return;
        }
        failed = true;
        state.trace.end(error);
        if (events.observed()) {
            events.emit(new RunEvent.RunFailed(state.runId, events.seq(), state.agent.name(), engine.now(), error));
        }
    }

    private void checkCancelled() {
        if (cancellation.isCancelled() || Thread.currentThread().isInterrupted()) {
            guardrails.throwIfTripped();
            throw cancelled();
        }
    }

    private RunCancelled cancelled() {
        return new RunCancelled("Run " + state.runId + " was cancelled");
    }
}
