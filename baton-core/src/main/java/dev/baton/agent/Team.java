package dev.baton.agent;

import dev.baton.UserError;
import dev.baton.handoff.Handoff;
import dev.baton.internal.HandoffAccess;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Agents assembled together so handoffs can name each other: triage hands to
 * {@code "billing_specialist"}, the specialist hands back to {@code "support_triage"}. Building
 * the team resolves every name and rejects one that matches no agent. Agents reachable through
 * direct references join the team too.
 *
 * <pre>{@code
 * Team<Support> desk = Team.of(triage, billing, technical);
 * runner.run(desk.agent("support_triage"), "I was charged twice");
 * }</pre>
 *
 * <p>The team holds copies of the agents whose handoffs point at each other; run those (from
 * {@link #agent(String)}), not the agents passed in.
 */
public final class Team<C> {
    private final Map<String, Agent<C>> agents;

    private Team(Map<String, Agent<C>> agents) {
        this.agents = agents;
    }

    /**
     * Resolves the agents' handoff names among them.
     *
     * @throws UserError if a handoff names an agent not in the team, or two different agents share a name
     */
    @SafeVarargs
    public static <C> Team<C> of(Agent<C>... members) {
        return of(java.util.Arrays.stream(members).toList());
    }

    public static <C> Team<C> of(List<Agent<C>> members) {
        if (members.isEmpty()) {
            throw new UserError("A team needs at least one agent");
        }
        Map<String, Agent<C>> originals = collect(members);
        List<String> dangling = new ArrayList<>();
        for (Agent<C> a : originals.values()) {
            for (Handoff<C, ?> h : a.handoffs()) {
                if (!originals.containsKey(h.targetName())) {
                    dangling.add("'" + a.name() + "' -> '" + h.targetName() + "'");
                }
            }
        }
        if (!dangling.isEmpty()) {
            throw new UserError("Handoffs name agents that are not in the team: " + String.join(", ", dangling)
                    + ". Team members: " + originals.keySet());
        }
        // Copies refer to each other through this map, filled once before the team is returned.
        Map<String, Agent<C>> resolved = new ConcurrentHashMap<>();
        Map<String, Agent<C>> ordered = new LinkedHashMap<>();
        for (Agent<C> a : originals.values()) {
            Agent.Builder<C> b = a.toBuilder().clearHandoffs();
            for (Handoff<C, ?> h : a.handoffs()) {
                String target = h.targetName();
                b.handoffs(HandoffAccess.retarget(h, AgentRef.resolved(target, () -> resolved.get(target))));
            }
            ordered.put(a.name(), b.build());
        }
        resolved.putAll(ordered);
        return new Team<>(java.util.Collections.unmodifiableMap(ordered));
    }

    private static <C> Map<String, Agent<C>> collect(List<Agent<C>> members) {
        Map<String, Agent<C>> byName = new LinkedHashMap<>();
        Deque<Agent<C>> todo = new ArrayDeque<>(members);
        while (!todo.isEmpty()) {
            Agent<C> a = todo.poll();
            Agent<C> known = byName.get(a.name());
            if (known != null) {
                if (known != a) {
                    throw new UserError("Two different agents are named '" + a.name() + "': names must be unique in a team");
                }
                continue;
            }
            byName.put(a.name(), a);
            for (Handoff<C, ?> h : a.handoffs()) {
                Agent<C> direct = h.target().direct();
                if (direct != null) {
                    todo.add(direct);
                }
            }
        }
        return byName;
    }

    /**
     * The team's agent of this name.
     *
     * @throws UserError if there is none
     */
    public Agent<C> agent(String name) {
        Agent<C> a = agents.get(name);
        if (a == null) {
            throw new UserError("No agent named '" + name + "' in the team " + agents.keySet());
        }
        return a;
    }

    public Collection<Agent<C>> agents() {
        return agents.values();
    }
}
