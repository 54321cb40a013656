package dev.baton.agent;

import dev.baton.UserError;
import dev.baton.handoff.Handoff;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Walks the handoff graph. */
final class AgentGraph {
    private AgentGraph() {}

    static <C> Map<String, Agent<C>> reachable(Agent<C> start) {
        Map<String, Agent<C>> seen = new LinkedHashMap<>();
        List<String> dangling = new ArrayList<>();
        Deque<Agent<C>> todo = new ArrayDeque<>();
        todo.add(start);
        while (!todo.isEmpty()) {
            Agent<C> agent = todo.poll();
            Agent<C> known = seen.get(agent.name());
            if (known != null) {
                if (known != agent) {
                    throw new UserError("Two different agents named '" + agent.name() + "' are reachable from '"
                            + start.name() + "': agent names must be unique among agents that hand off to each other");
                }
                continue;
            }
            seen.put(agent.name(), agent);
            for (Handoff<C, ?> h : agent.handoffs()) {
                if (!h.target().isResolvable()) {
                    dangling.add("'" + agent.name() + "' -> '" + h.targetName() + "'");
                    continue;
                }
                todo.add(h.target().resolve());
            }
        }
        if (!dangling.isEmpty()) {
            throw new UserError("Handoffs name agents that were never resolved: " + String.join(", ", dangling)
                    + ". Build agents that refer to each other by name with Team.of(...) and run the agent the team returns");
        }
        return Map.copyOf(seen);
    }
}
