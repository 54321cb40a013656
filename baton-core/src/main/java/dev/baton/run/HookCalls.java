package dev.baton.run;

import dev.baton.BatonException;
import dev.baton.CallbackFailed;
import dev.baton.agent.Agent;
import dev.baton.hook.AgentHooks;
import dev.baton.hook.RunHooks;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.tool.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Calls a run's hooks: the runner's, the run's, and the active agent's own. A hook that throws
 * fails the run with a {@link CallbackFailed} naming the hook and the method.
 */
final class HookCalls<C> {
    private final List<AgentHooks<C>> runHooks;

    @SuppressWarnings("unchecked")
    HookCalls(@Nullable RunHooks<?> runnerHooks, @Nullable RunHooks<C> optionHooks) {
        List<AgentHooks<C>> hooks = new ArrayList<>(2);
        if (runnerHooks != null) {
            hooks.add((AgentHooks<C>) runnerHooks);
        }
        if (optionHooks != null) {
            hooks.add(optionHooks);
        }
        this.runHooks = List.copyOf(hooks);
    }

    /** True when no hook can be called for this agent, so callers can skip building arguments. */
    boolean none(Agent<C> agent) {
        return runHooks.isEmpty() && agent.hooks() == null;
    }

    void agentStart(RunContext<C> ctx, Agent<C> agent) {
        each(agent, "onAgentStart", h -> h.onAgentStart(ctx, agent));
    }

    void agentEnd(RunContext<C> ctx, Agent<C> agent, Object output) {
        each(agent, "onAgentEnd", h -> h.onAgentEnd(ctx, agent, output));
    }

    void modelStart(RunContext<C> ctx, Agent<C> agent, ModelRequest request) {
        each(agent, "onModelStart", h -> h.onModelStart(ctx, agent, request));
    }

    void modelEnd(RunContext<C> ctx, Agent<C> agent, ModelResponse response) {
        each(agent, "onModelEnd", h -> h.onModelEnd(ctx, agent, response));
    }

    /** Run hooks, the source agent's hooks, and the target's (the one being handed to). */
    void handoff(RunContext<C> ctx, Agent<C> from, Agent<C> to) {
        each(from, "onHandoff", h -> h.onHandoff(ctx, from, to));
        if (to.hooks() != null && to.hooks() != from.hooks()) {
            call(to.hooks(), "onHandoff", h -> h.onHandoff(ctx, from, to));
        }
    }

    void toolStart(RunContext<C> ctx, Agent<C> agent, Tool<C> tool, String callId, String arguments) {
        each(agent, "onToolStart", h -> h.onToolStart(ctx, agent, tool, callId, arguments));
    }

    void toolEnd(RunContext<C> ctx, Agent<C> agent, Tool<C> tool, String callId, String result) {
        each(agent, "onToolEnd", h -> h.onToolEnd(ctx, agent, tool, callId, result));
    }

    private void each(Agent<C> agent, String method, Consumer<AgentHooks<C>> call) {
        for (AgentHooks<C> h : runHooks) {
            call(h, method, call);
        }
        if (agent.hooks() != null) {
            call(agent.hooks(), method, call);
        }
    }

    private static <C> void call(AgentHooks<C> hooks, String method, Consumer<AgentHooks<C>> call) {
        try {
            call.accept(hooks);
        } catch (BatonException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CallbackFailed("The hook " + hooks.getClass().getName() + "." + method + " failed: "
                    + Callbacks.message(e), e);
        }
    }
}
