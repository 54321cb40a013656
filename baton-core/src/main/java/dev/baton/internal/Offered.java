package dev.baton.internal;

import dev.baton.handoff.Handoff;
import dev.baton.model.HandoffSpec;
import dev.baton.model.ToolSpec;
import dev.baton.tool.Tool;
import java.util.List;
import java.util.Map;

/**
 * Not API. What an agent offers its model on every turn: tools and handoffs by function name, and
 * their specs in order. See {@link AgentAccess#fixedOffer}.
 */
public record Offered<C>(Map<String, Tool<C>> tools, Map<String, Handoff<C, ?>> handoffs,
        List<ToolSpec> toolSpecs, List<HandoffSpec> handoffSpecs) {}
