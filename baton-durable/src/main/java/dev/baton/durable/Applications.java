package dev.baton.durable;

import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.internal.AgentAccess;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A worker's applications and, per application, its agents by name: those registered and those
 * they reach by handoffs, each with the agent graph a run starting with it is journaled with. A run
 * continues with the agent it started with, looked up here by name, so names must stay unique per
 * application; two applications may each have their own agent of one name.
 */
final class Applications {
    /** An agent of an application: given to the worker ({@code explicit}), or reached from one by handoffs. */
    record Registered(Agent<?> agent, Map<String, String> graph, boolean explicit) {}

    private final Map<String, Map<String, Registered>> applications = new ConcurrentHashMap<>();

    /** Registers the agent (and those it hands off to) in the application; returns its registration. */
    Registered register(String application, Agent<?> agent) {
        Objects.requireNonNull(application, "application");
        if (application.isBlank()) {
            throw new UserError("An application name must not be blank");
        }
        Map<String, Registered> agents = applications.computeIfAbsent(application, k -> new ConcurrentHashMap<>());
        Registered existing = agents.get(agent.name());
        if (existing != null) {
            if (existing.agent() != agent && !existing.agent().fingerprint().equals(agent.fingerprint())) {
                throw new UserError("Another agent named '" + agent.name() + "' is registered in application '" + application
                        + "' of this worker (definition " + existing.agent().fingerprint() + ", here " + agent.fingerprint() + ")");
            }
            if (existing.explicit()) {
                return existing;
            }
        }
        Registered r = registration(agent, true);
        agents.put(agent.name(), r);
        // The agents it hands off to are the application's too: a client may start a run with any of them.
        AgentAccess.reachableAgents(agent).forEach((name, a) -> agents.putIfAbsent(name, registration(a, false)));
        return r;
    }

    private static Registered registration(Agent<?> agent, boolean explicit) {
        Map<String, String> graph = new TreeMap<>();
        AgentAccess.reachableAgents(agent).forEach((name, a) -> graph.put(name, a.fingerprint()));
        return new Registered(agent, Map.copyOf(graph), explicit);
    }

    /** The application of a run started with this agent and no application named. */
    String applicationOf(Agent<?> agent) {
        List<String> having = new ArrayList<>();
        applications.forEach((application, agents) -> {
            Registered r = agents.get(agent.name());
            if (r != null) {
                having.add(application);
            }
        });
        if (having.size() > 1) {
            Collections.sort(having);
            throw new UserError("Agent '" + agent.name() + "' is registered in several applications of this worker " + having
                    + ": name the application the run belongs to");
        }
        return having.isEmpty() ? RunRecord.DEFAULT_APPLICATION : having.get(0);
    }

    Set<String> names() {
        return Set.copyOf(applications.keySet());
    }

    boolean serves(String application) {
        return applications.containsKey(application);
    }

    /** The agents of the application by name; empty if this worker does not serve it. */
    Map<String, Registered> agents(String application) {
        return applications.getOrDefault(application, Map.of());
    }
}
