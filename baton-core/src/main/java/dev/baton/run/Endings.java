package dev.baton.run;

import dev.baton.ModelBehaviorError;
import dev.baton.ModelRefusalError;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.agent.OutputType;
import dev.baton.item.Message;
import dev.baton.item.RunItem;
import dev.baton.schema.InvalidArgumentsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How a run ends: its final output (parsed for the agent's output type, or the run error
 * handler's answer to a refusal, invalid output or the turn limit), the completed result once
 * the output guardrails pass, or the paused result of a run that waits for approvals.
 */
final class Endings<C> {
    private final Agent<C> startAgent;
    private final RunOptions<C> options;
    private final LoopState<C> state;
    private final RunEvents<C> events;
    private final RunGuardrails<C> guardrails;
    private final HookCalls<C> hooks;
    private final SessionSaves saves;

    Endings(Agent<C> startAgent, RunOptions<C> options, LoopState<C> state, RunEvents<C> events, RunGuardrails<C> guardrails,
            HookCalls<C> hooks, SessionSaves saves) {
        this.startAgent = startAgent;
        this.options = options;
        this.state = state;
        this.events = events;
        this.guardrails = guardrails;
        this.hooks = hooks;
        this.saves = saves;
    }

    /** The agent's final text as its output type, or the text itself for a plain-text agent. */
    Object finalOutput(String text) {
        Agent<C> agent = state.agent;
        OutputType<?> type = agent.outputType();
        if (type == null) {
            return text;
        }
        try {
            return type.parse(text);
        } catch (InvalidArgumentsException e) {
            String message = "Final output of agent '" + agent.name() + "' is not a valid " + type.name() + ": " + e.getMessage();
            Optional<Object> handled = handleError(new RunErrorHandler.Failure.InvalidOutput(agent.name(), state.itemsSoFar(), text,
                    message));
            if (handled.isPresent()) {
                return answerFromHandler(handled.get(), true);
            }
            throw new ModelBehaviorError(message, text, e);
        }
    }

    /** The final answer is a refusal: never parsed as output; the error handler's output, or a {@link ModelRefusalError}. */
    Object refused(String refusal) {
        Optional<Object> handled = handleError(new RunErrorHandler.Failure.Refusal(state.agent.name(), state.itemsSoFar(), refusal));
        if (handled.isPresent()) {
            return answerFromHandler(handled.get(), false);
        }
        throw new ModelRefusalError(state.agent.name(), refusal);
    }

    /** The error handler's answer when the run reached its turn limit, if it gives one. */
    Optional<Object> afterMaxTurns(int maxTurns) {
        Optional<Object> handled = handleError(new RunErrorHandler.Failure.MaxTurns(state.agent.name(), List.copyOf(state.newItems),
                maxTurns));
        return handled.map(output -> answerFromHandler(output, false));
    }

    /** The result of a finished run, once its output guardrails pass; the final turn is saved now. */
    RunResult complete(Object output) {
        Agent<C> agent = state.agent;
        RunContext<C> ctx = state.ctx();
        guardrails.checkOutput(ctx, agent, options, output);
        if (!state.pendingTurn.isEmpty()) {
            List<RunItem> finalTurn = state.pendingTurn;
            state.commit(finalTurn);
            saves.items(finalTurn, state.runId + "/final");
        }
        hooks.agentEnd(ctx, agent, output);
        saves.activeAgent(agent.name());
        saves.usage(state.runId, ctx.usage(), events.now());
        RunResult result = new RunResult(state.runId, state.startInput, output, agent.name(), agent, state.newItems,
                state.currentInput(), state.responses, ctx.usage(), ctx.usageByAgent(), state.turns, guardrails.results(), List.of(),
                null, List.of());
        if (events.observed()) {
            events.emit(new RunEvent.RunCompleted(state.runId, events.seq(), agent.name(), events.now(), output));
        }
        state.trace.end(null);
        return result;
    }

    /**
     * The result of a run that handed off to its caller ({@link RunOptions#withHandoffsToCaller}):
     * the handoff turn is already saved, the session is held by the first target.
     */
    RunResult handedOff(List<Agent<C>> targets) {
        Agent<C> from = state.agent;
        Agent<C> holder = targets.get(0);
        RunContext<C> ctx = state.ctx();
        saves.usage(state.runId, ctx.usage(), events.now());
        RunResult result = new RunResult(state.runId, state.startInput, null, holder.name(), holder, state.newItems,
                state.currentInput(), state.responses, ctx.usage(), ctx.usageByAgent(), state.turns, guardrails.results(), List.of(),
                null, targets.stream().map(Agent::name).toList());
        if (events.observed()) {
            events.emit(new RunEvent.RunCompleted(state.runId, events.seq(), from.name(), events.now(), null));
        }
        state.trace.end(null);
        return result;
    }

    /** The result of a run that waits for approvals; the session keeps its holder, the paused turn is saved on resume. */
    RunResult paused(NextStep.Interrupted<C> paused, @Nullable String sessionId) {
        Agent<C> agent = state.agent;
        RunContext<C> ctx = state.ctx();
        saves.activeAgent(agent.name());
        saves.usage(state.runId, ctx.usage(), events.now());
        RunState.Loop loop = state.snapshot(startAgent, sessionId, guardrails.results(), state.seq + paused.pending().size() + 1);
        RunState runState = new RunState(new RunState.Data(RunState.VERSION, loop,
                new RunState.Pause(paused.output(), paused.done(), paused.pending(), paused.nested()), state.decisions,
                state.toolDecisions, RunState.Carried.of(options)));
        List<RunItem> soFar = new ArrayList<>(state.newItems);
        soFar.addAll(state.pendingTurn);
        RunResult result = new RunResult(state.runId, state.startInput, null, agent.name(), agent, soFar, state.currentInput(),
                state.responses, ctx.usage(), ctx.usageByAgent(), state.turns, guardrails.results(), paused.pending(), runState, List.of());
        if (events.observed()) {
            for (ApprovalRequest r : paused.pending()) {
                events.emit(new RunEvent.ApprovalRequested(state.runId, events.seq(), agent.name(), events.now(), r));
            }
            events.emit(new RunEvent.RunPaused(state.runId, events.seq(), agent.name(), events.now(), paused.pending()));
        }
        state.trace.end(null);
        return result;
    }

    private Optional<Object> handleError(RunErrorHandler.Failure failure) {
        RunErrorHandler handler = options.errorHandler();
        if (handler == null) {
            return Optional.empty();
        }
        return Callbacks.call(() -> Callbacks.nonNull(handler.handle(failure)), () -> "run error handler");
    }

    /**
     * The run error handler's answer becomes the last agent's final message, as if the model had
     * written it: it is in the run's items and events and is saved with the run. An answer to
     * invalid output takes the place of the invalid message; a refusal stays before the answer.
     *
     * @throws UserError if the answer does not fit the agent's output type
     */
    private Object answerFromHandler(Object output, boolean replacesInvalidMessage) {
        Agent<C> agent = state.agent;
        String text = handlerText(output);
        RunItem.MessageItem message = new RunItem.MessageItem(agent.name(), Message.assistant(text));
        List<RunItem> finalTurn = new ArrayList<>(state.pendingTurn);
        if (replacesInvalidMessage) {
            for (int i = finalTurn.size() - 1; i >= 0; i--) {
                if (finalTurn.get(i) instanceof RunItem.MessageItem) {
                    finalTurn.remove(i);
                    break;
                }
            }
        }
        finalTurn.add(message);
        state.pendingTurn = finalTurn;
        if (events.observed()) {
            if (events.streaming() && !text.isEmpty()) {
                events.emit(new RunEvent.TextDelta(state.runId, events.seq(), agent.name(), events.now(), text));
            }
            events.emit(new RunEvent.MessageOutput(state.runId, events.seq(), agent.name(), events.now(), message));
        }
        return output;
    }

    /** The handler's answer as the text the agent's model would have written for it. */
    private String handlerText(Object output) {
        Agent<C> agent = state.agent;
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
            return dev.baton.internal.Schemas.mapper().writeValueAsString(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UserError("The run error handler's answer for agent '" + agent.name() + "' cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }
}
