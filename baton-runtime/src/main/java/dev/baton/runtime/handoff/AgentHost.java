package dev.baton.runtime.handoff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.agent.Agent;
import dev.baton.run.ApprovalRequest;
import dev.baton.run.RunOptions;
import dev.baton.runtime.MessageContext;
import dev.baton.runtime.RoutedAgent;
import dev.baton.runtime.TopicId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hosts one Baton agent for one session: takes a turn on each {@link UserTask} and publishes what
 * came of it: the answer on the user topic, the conversation to each handoff target's topic, or
 * the calls waiting for approval on the approvals topic. Decisions arrive as
 * {@link ApprovalDecision}s on the agent's own topic; the turn goes on once every call is decided.
 */
final class AgentHost<C> extends RoutedAgent {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Agent<C> agent;
    private final HandoffDesk<C> desk;
    /** Turns of this agent in this session that wait for approvals, by run id (made when one waits: most sessions have none). */
    private Map<String, Turn.Paused> paused = Map.of();
    /** The decisions received so far for each paused run, by call id. */
    private Map<String, Map<String, ApprovalDecision>> decided = Map.of();

    AgentHost(Agent<C> agent, HandoffDesk<C> desk) {
        this.agent = agent;
        this.desk = desk;
        on(UserTask.class, this::task);
        on(ApprovalDecision.class, this::decision);
    }

    private String session() {
        return id().key();
    }

    private void task(UserTask task, MessageContext context) {
        RunOptions<C> options = desk.optionsFor(session());
        route(attempt(() -> desk.turns().take(context.messageId(), agent, task.input(), options)));
    }

    private void decision(ApprovalDecision decision, MessageContext context) {
        Turn.Paused turn = paused.get(decision.runId());
        if (turn == null) {
            throw new IllegalArgumentException("Agent '" + agent.name() + "' of session " + session() + " has no run "
                    + decision.runId() + " waiting for approval (waiting: " + paused.keySet() + ")");
        }
        if (turn.pending().stream().noneMatch(p -> p.callId().equals(decision.callId()))) {
            throw new IllegalArgumentException("Run " + decision.runId() + " has no call " + decision.callId()
                    + " waiting for approval (waiting: " + turn.pending().stream().map(ApprovalRequest::callId).toList() + ")");
        }
        Map<String, ApprovalDecision> sofar = decided.computeIfAbsent(decision.runId(), id -> new LinkedHashMap<>());
        sofar.putIfAbsent(decision.callId(), decision);
        if (sofar.size() < turn.pending().size()) {
            return;
        }
        paused.remove(turn.runId());
        decided.remove(turn.runId());
        RunOptions<C> options = desk.optionsFor(session());
        route(attempt(() -> desk.turns().decide(agent, turn, List.copyOf(sofar.values()), options)));
    }

    /** The turn, or on failure a {@link TurnFailed} told to the person before the failure goes to the runtime. */
    private Turn attempt(java.util.function.Supplier<Turn> turn) {
        try {
            return turn.get();
        } catch (RuntimeException e) {
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            publish(new TurnFailed(agent.name(), agent.name(), error), new TopicId(desk.userTopic(), session()));
            throw e;
        }
    }

    private void route(Turn turn) {
        switch (turn) {
            case Turn.Answered a -> publish(new AgentResponse(a.agent(), a.agent(), a.text(), a.conversation(), a.runId()),
                    new TopicId(desk.userTopic(), session()));
            case Turn.HandedOff h -> {
                for (String target : h.targets()) {
                    publish(new UserTask(null, h.conversation(), h.agent()), new TopicId(target, session()));
                }
            }
            case Turn.Paused p -> {
                if (paused.isEmpty()) {
                    paused = new LinkedHashMap<>();
                    decided = new LinkedHashMap<>();
                }
                paused.put(p.runId(), p);
                publish(new ApprovalRequired(p.agent(), agent.name(), p.runId(), p.pending()),
                        new TopicId(desk.approvalsTopic(), session()));
            }
        }
    }

    @Override
    public JsonNode saveState() {
        ObjectNode state = JSON.createObjectNode();
        if (paused.isEmpty()) {
            return state; // nothing waits: the host has no state of its own (the conversation is in the session)
        }
        ArrayNode runs = state.putArray("paused");
        for (Turn.Paused p : paused.values()) {
            ObjectNode run = runs.addObject();
            run.set("turn", JSON.valueToTree(p));
            run.set("decided", JSON.valueToTree(new ArrayList<>(decided.getOrDefault(p.runId(), Map.of()).values())));
        }
        return state;
    }

    @Override
    public void loadState(JsonNode state) {
        paused = new LinkedHashMap<>();
        decided = new LinkedHashMap<>();
        for (JsonNode run : state.path("paused")) {
            try {
                Turn.Paused p = JSON.treeToValue(run.get("turn"), Turn.Paused.class);
                paused.put(p.runId(), p);
                Map<String, ApprovalDecision> sofar = new LinkedHashMap<>();
                for (JsonNode d : run.path("decided")) {
                    ApprovalDecision decision = JSON.treeToValue(d, ApprovalDecision.class);
                    sofar.put(decision.callId(), decision);
                }
                if (!sofar.isEmpty()) {
                    decided.put(p.runId(), sofar);
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
                throw new IllegalArgumentException("The saved state of agent '" + agent.name() + "' of session " + session()
                        + " cannot be read: " + e.getMessage(), e);
            }
        }
    }

    /** Everything a host keeps between messages is in its saved state (the conversation is in the session). */
    @Override
    protected boolean dormantWhenIdle() {
        return true;
    }
}
