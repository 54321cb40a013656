package dev.baton.run;

import dev.baton.BatonException;
import dev.baton.ModelBehaviorError;
import dev.baton.ModelCallFailed;
import dev.baton.RunCancelled;
import dev.baton.agent.Agent;
import dev.baton.internal.HumanAccess;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import dev.baton.trace.Tracer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A turn's model call as a step of the engine, which performs it (the interceptors, then start
 * hook, span, the model, streamed text as events) or replays its recorded response; failures
 * become the run's errors.
 */
final class ModelCalls<C> {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ModelCalls.class);
    private final RunOptions<C> options;
    private final LoopState<C> state;
    private final Engine engine;
    private final Interceptors interceptors;
    private final RunEvents<C> events;
    private final HookCalls<C> hooks;
    private final RunGuardrails<C> guardrails;
    private final Cancellation cancellation;
    private final Runnable checkCancelled;
    private final Supplier<RunCancelled> cancelled;
    /** Whether the engine performed the last call rather than replaying it. */
    private boolean performed;

    ModelCalls(RunOptions<C> options, LoopState<C> state, Engine engine, Interceptors interceptors, RunEvents<C> events,
            HookCalls<C> hooks, RunGuardrails<C> guardrails, Cancellation cancellation, Runnable checkCancelled,
            Supplier<RunCancelled> cancelled) {
        this.options = options;
        this.interceptors = interceptors;
        this.state = state;
        this.engine = engine;
        this.events = events;
        this.hooks = hooks;
        this.guardrails = guardrails;
        this.cancellation = cancellation;
        this.checkCancelled = checkCancelled;
        this.cancelled = cancelled;
    }

    /** Whether the last call reached the model (not replayed, not answered by an interceptor): its end hook fires only then. */
    boolean performed() {
        return performed;
    }

    ModelResponse call(Model model, ModelRequest request) {
        checkCancelled.run();
        Agent<C> agent = state.agent;
        // A person answers a human agent's turns, whatever model the run names for the others.
        String modelName = options.modelName() != null && !HumanAccess.isHuman(agent) ? options.modelName() : agent.modelName();
        performed = false;
        try {
            return engine.model(new Engine.ModelStep(state.responses.size() + 1, agent.name(), modelName, request),
                    () -> interceptors.noModelLinks() ? perform(model, modelName, request)
                            : interceptors.model(new ModelInterceptor.ModelCall(state.runId, agent.name(), modelName, request),
                                    c -> perform(model, c.model(), c.request())));
        } catch (BatonException e) {
            throw e;
        } catch (RuntimeException e) {
            // A tripped parallel guardrail interrupted the call: the tripwire is the run's outcome.
            guardrails.throwIfTripped();
            if (cancellation.isCancelled() || Thread.currentThread().isInterrupted()) {
                throw cancelled.get();
            }
            throw new ModelCallFailed("Model call for agent '" + agent.name() + "' failed: " + Callbacks.message(e), e,
                    retryable(model, e));
        }
    }

    /** What the model says of its failure; a model whose own judgement throws is taken to say no. */
    private static boolean retryable(Model model, RuntimeException failure) {
        try {
            return model.retryable(failure);
        } catch (RuntimeException e) {
            log.warn("the model's retryable check failed on {}", failure.getClass().getName(), e);
            return false;
        }
    }

    /** The model call itself, with its start hook and span: what a replayed step does not do again. */
    private ModelResponse perform(Model model, @Nullable String modelName, ModelRequest request) {
        Agent<C> agent = state.agent;
        performed = true;
        hooks.modelStart(state.ctx(), agent, request);
        Tracer.ActiveSpan span = state.trace.modelStarted(agent.name(), modelName, request.input());
        ModelResponse response;
        try {
            Supplier<ModelResponse> answer = () -> events.streaming() ? model.stream(request, this::onModelEvent) : model.respond(request);
            // A person's channel learns which run (and session) asks: a web page shows the question with its conversation.
            response = HumanAccess.isHuman(agent)
                    ? HumanAccess.during(new HumanAccess.Turn(state.runId, state.ctx().sessionId().orElse(null)), answer)
                    : answer.get();
        } catch (RuntimeException | Error e) {
            RunTrace.failed(span, e);
            throw e;
        }
        if (response == null) {
            ModelBehaviorError error = new ModelBehaviorError("Model for agent '" + agent.name() + "' returned no response");
            RunTrace.failed(span, error);
            throw error;
        }
        state.trace.modelEnded(span, agent.name(), modelName, request.input(), response);
        return response;
    }

    private void onModelEvent(ModelStreamEvent event) {
        if (event instanceof ModelStreamEvent.TextDelta d && !d.text().isEmpty() && events.observed()) {
            events.emit(new RunEvent.TextDelta(state.runId, events.seq(), state.agent.name(), engine.now(), d.text()));
        }
    }
}
