package dev.baton.run;

import dev.baton.BatonException;
import dev.baton.ToolProviderFailed;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.agent.OutputType;
import dev.baton.handoff.Handoff;
import dev.baton.internal.AgentAccess;
import dev.baton.internal.HandoffAccess;
import dev.baton.internal.Offered;
import dev.baton.internal.ToolAccess;
import dev.baton.model.HandoffSpec;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelSettings;
import dev.baton.model.ToolSpec;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turn preparation: which tools and handoffs the active agent offers on this turn, and the
 * request its model gets (instructions, what it reads, tool and handoff schemas, settings).
 */
final class TurnPlans<C> {
    /** What the agent offers on a turn, by tool name. */
    record Offer<C>(Map<String, Tool<C>> tools, Map<String, Handoff<C, ?>> handoffs) {}

    /** A turn's offer and its model request. */
    record Plan<C>(Offer<C> offer, ModelRequest request) {}

    private final RunConfig config;
    private final RunOptions<C> options;
    private final LoopState<C> state;

    TurnPlans(RunConfig config, RunOptions<C> options, LoopState<C> state) {
        this.config = config;
        this.options = options;
        this.state = state;
    }

    /** The turn's plan. */
    Plan<C> plan() {
        // The instructions come first: what they (and the agent-start hooks before them) put in the
        // context decides which tools and handoffs are enabled on this turn.
        String instructions = instructions();
        Offered<C> fixed = AgentAccess.fixedOffer(state.agent);
        if (fixed != null) {
            return new Plan<>(new Offer<>(fixed.tools(), fixed.handoffs()),
                    request(instructions, fixed.toolSpecs(), fixed.handoffSpecs()));
        }
        Offer<C> offer = offer();
        List<ToolSpec> toolSpecs = new ArrayList<>(offer.tools().size());
        for (Tool<C> t : offer.tools().values()) {
            toolSpecs.add(ToolAccess.spec(t));
        }
        List<HandoffSpec> handoffSpecs = new ArrayList<>(offer.handoffs().size());
        for (Handoff<C, ?> h : offer.handoffs().values()) {
            handoffSpecs.add(HandoffAccess.spec(h));
        }
        return new Plan<>(offer, request(instructions, toolSpecs, handoffSpecs));
    }

    /** The tools and handoffs enabled now, without building a request (a resumed turn's). */
    Offer<C> offer() {
        Agent<C> agent = state.agent;
        Offered<C> fixed = AgentAccess.fixedOffer(agent);
        if (fixed != null) {
            return new Offer<>(fixed.tools(), fixed.handoffs());
        }
        RunContext<C> ctx = state.ctx();
        Map<String, Tool<C>> tools = new LinkedHashMap<>();
        for (Tool<C> t : agent.tools()) {
            if (Callbacks.call(() -> t.enabled().test(ctx, agent), () -> "enabling check of tool '" + t.name() + "'")) {
                tools.put(t.name(), t);
            }
        }
        Map<String, Handoff<C, ?>> handoffs = new LinkedHashMap<>();
        for (Handoff<C, ?> h : agent.handoffs()) {
            if (Callbacks.call(() -> h.enabled().test(ctx, agent), () -> "enabling check of handoff '" + h.toolName() + "'")) {
                handoffs.put(h.toolName(), h);
            }
        }
        if (!agent.toolProviders().isEmpty()) {
            provided(agent, ctx, tools);
        }
        return new Offer<>(tools, handoffs);
    }

    /**
     * Adds each provider's enabled tools after the agent's own. A name that another source already
     * offers is the agent's definition at fault, not the model's: the run fails naming both.
     */
    private static <C> void provided(Agent<C> agent, RunContext<C> ctx, Map<String, Tool<C>> tools) {
        Map<String, String> sources = new java.util.HashMap<>();
        for (Tool<C> t : agent.tools()) {
            sources.put(t.name(), "its own tools");
        }
        for (Handoff<C, ?> h : agent.handoffs()) {
            sources.put(h.toolName(), "its handoffs");
        }
        for (ToolProvider<C> provider : agent.toolProviders()) {
            List<Tool<C>> given;
            try {
                given = List.copyOf(provider.tools(ctx, agent));
            } catch (BatonException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ToolProviderFailed(provider.name(), agent.name(), e);
            }
            String source = "tool provider '" + provider.name() + "'";
            for (Tool<C> t : given) {
                String before = sources.putIfAbsent(t.name(), source);
                if (before != null) {
                    throw new UserError("Agent '" + agent.name() + "' is offered two tools named '" + t.name() + "': one from "
                            + before + ", one from " + source + "; filter or prefix the provider's tools");
                }
                if (Callbacks.call(() -> t.enabled().test(ctx, agent), () -> "enabling check of tool '" + t.name() + "'")) {
                    tools.put(t.name(), t);
                }
            }
        }
    }

    private String instructions() {
        Agent<C> agent = state.agent;
        return Callbacks.call(() -> agent.instructions(state.ctx()), () -> "instructions of agent '" + agent.name() + "'");
    }

    private ModelRequest request(String instructions, List<ToolSpec> toolSpecs, List<HandoffSpec> handoffSpecs) {
        Agent<C> agent = state.agent;
        ModelSettings settings = overridden(overridden(agent.modelSettings(), config.modelSettings()), options.modelSettings());
        if (state.resetToolChoice) {
            settings = settings.withToolChoice(null);
        }
        OutputType<?> outputType = agent.outputType();
        return new ModelRequest(agent.name(), instructions, state.currentInput(), toolSpecs, handoffSpecs,
                outputType == null ? null : outputType.schema(), settings);
    }

    /** {@code base} with every field that {@code override} sets replaced by its value. */
    static ModelSettings overridden(ModelSettings base, @Nullable ModelSettings override) {
        if (override == null || override.equals(ModelSettings.defaults())) {
            return base;
        }
        return new ModelSettings(
                override.temperature() != null ? override.temperature() : base.temperature(),
                override.topP() != null ? override.topP() : base.topP(),
                override.maxTokens() != null ? override.maxTokens() : base.maxTokens(),
                override.toolChoice() != null ? override.toolChoice() : base.toolChoice(),
                override.parallelToolCalls() != null ? override.parallelToolCalls() : base.parallelToolCalls());
    }
}
