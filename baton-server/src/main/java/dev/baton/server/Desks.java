package dev.baton.server;

import org.jspecify.annotations.Nullable;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.agent.Agent;
import dev.baton.handoff.Handoff;
import dev.baton.internal.AgentAccess;
import dev.baton.tool.Tool;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The server's desks by name, each with its entry agent and every agent reachable from it by handoffs. */
record Desks(Map<String, Desk> byName) {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /**
     * One desk: runs start with {@code entry}; {@code agents} holds it and those it reaches by
     * handoffs. A run started with a JSON context becomes {@code contextType} (when given); a desk
     * with neither a context type nor the server's run options to read the context takes none.
     */
    record Desk(String name, Agent<?> entry, Map<String, Agent<?>> agents, @Nullable Class<?> contextType, boolean takesContext) {
        Desk(String name, Agent<?> entry, Map<String, Agent<?>> agents) {
            this(name, entry, agents, null, false);
        }

        /**
         * The agents' context from the JSON a run was started with.
         *
         * @throws IllegalArgumentException saying what does not fit the context type
         */
        Object context(String json) {
            if (contextType == null) {
                throw new IllegalArgumentException("desk '" + name + "' declares no context type");
            }
            try {
                return CONTEXTS.readValue(json, contextType);
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new IllegalArgumentException("it does not fit " + contextType.getSimpleName() + ": " + e.getOriginalMessage(), e);
            }
        }
    }

    /** Reads run contexts: unknown properties are refused, so a misspelt field is an error, not a silent default. */
    private static final com.fasterxml.jackson.databind.ObjectMapper CONTEXTS = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    Desks {
        byName = Map.copyOf(byName);
    }

    static Desks of(Map<String, Agent<?>> entries) {
        return of(entries, Map.of(), false);
    }

    /** {@code runOptionsReadContext}: the server's run options may read any desk's JSON context themselves. */
    static Desks of(Map<String, Agent<?>> entries, Map<String, Class<?>> contextTypes, boolean runOptionsReadContext) {
        Map<String, Desk> desks = new LinkedHashMap<>();
        entries.forEach((name, entry) -> {
            Class<?> type = contextTypes.get(name);
            desks.put(name, new Desk(name, entry, reachable(entry), type, type != null || runOptionsReadContext));
        });
        return new Desks(desks);
    }

    private static <C> Map<String, Agent<?>> reachable(Agent<C> entry) {
        Map<String, Agent<?>> agents = new LinkedHashMap<>();
        agents.put(entry.name(), entry);
        AgentAccess.reachableAgents(entry).forEach(agents::putIfAbsent);
        return agents;
    }

    Optional<Desk> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** A desk as the desk list shows it: its name, entry agent and number of agents. */
    static ObjectNode summary(Desk desk) {
        ObjectNode n = JSON.objectNode();
        n.put("name", desk.name());
        n.put("entryAgent", desk.entry().name());
        n.put("agentCount", desk.agents().size());
        return n;
    }

    /** A desk in full: its agents (tools, handoff targets) and its handoff graph as nodes and edges. */
    static ObjectNode detail(Desk desk) {
        ObjectNode n = summary(desk);
        ArrayNode agents = n.putArray("agents");
        ArrayNode nodes = JSON.arrayNode();
        ArrayNode edges = JSON.arrayNode();
        desk.agents().values().forEach(agent -> {
            ObjectNode a = agents.addObject();
            a.put("name", agent.name());
            a.put("description", agent.handoffDescription());
            a.put("entry", agent == desk.entry());
            ArrayNode tools = a.putArray("tools");
            for (Tool<?> tool : agent.tools()) {
                ObjectNode t = tools.addObject();
                t.put("name", tool.name());
                t.put("description", tool.description());
                t.put("requiresApproval", tool.approvalPolicy() != null);
            }
            ArrayNode handoffs = a.putArray("handoffs");
            for (Handoff<?, ?> h : agent.handoffs()) {
                handoffs.add(h.targetName());
                ObjectNode e = edges.addObject();
                e.put("from", agent.name());
                e.put("to", h.targetName());
                e.put("tool", h.toolName());
            }
            ObjectNode node = nodes.addObject();
            node.put("id", agent.name());
            node.put("entry", agent == desk.entry());
        });
        ObjectNode graph = n.putObject("graph");
        graph.set("nodes", nodes);
        graph.set("edges", edges);
        return n;
    }
}
