package dev.baton.hook;

import dev.baton.agent.Agent;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.run.RunContext;
import dev.baton.tool.Tool;

/**
 * Callbacks at the points of an agent's life in a run: it becomes active, calls its model, runs a
 * tool, hands off or is handed to, and produces the final output. Set on an agent
 * ({@code Agent.Builder.hooks}) they see that agent's events; as {@link RunHooks} they see every
 * agent's. Every method has an empty default, so implement only what you need.
 *
 * <p>Hooks see the same context object as tools. Tool hooks may run on several threads at once
 * (a turn's tool calls run concurrently). A hook that throws fails the run with a
 * {@link dev.baton.CallbackFailed} naming the hook.
 */
public interface AgentHooks<C> {

    /** {@code agent} became the active agent: at the start of the run, or after a handoff to it. */
    default void onAgentStart(RunContext<C> context, Agent<C> agent) {}

    /** {@code agent} produced the run's final output. */
    default void onAgentEnd(RunContext<C> context, Agent<C> agent, Object output) {}

    /** {@code agent}'s model is about to be called. */
    default void onModelStart(RunContext<C> context, Agent<C> agent, ModelRequest request) {}

    /** {@code agent}'s model answered. */
    default void onModelEnd(RunContext<C> context, Agent<C> agent, ModelResponse response) {}

    /** The conversation passes from {@code from} to {@code to}. Agent hooks of {@code to} receive it. */
    default void onHandoff(RunContext<C> context, Agent<C> from, Agent<C> to) {}

    /** {@code tool} is about to run for the call {@code callId}. */
    default void onToolStart(RunContext<C> context, Agent<C> agent, Tool<C> tool, String callId, String arguments) {}

    /** {@code tool} finished the call {@code callId}; {@code result} is what the model will read. */
    default void onToolEnd(RunContext<C> context, Agent<C> agent, Tool<C> tool, String callId, String result) {}
}
