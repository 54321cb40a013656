package dev.baton.offline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.ModelRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The offline model's reading of a request: the customer's messages, and what happened since the
 * latest of them (the current user turn): tool results, calls already made, agents handed to.
 *
 * @param latestUser the latest user message, "" when there is none
 * @param userMessages every user message, latest first
 * @param results outputs of tool calls (not handoffs) made in this turn, in order
 * @param calls function calls made in this turn, as name plus parsed arguments
 * @param visited agents known to have held the conversation in this turn
 * @param lastIsToolResult whether the last input item is the output of a tool (not of a handoff)
 * @param answersQuestion whether the latest user message answers a question: the assistant's last
 *     message before it asked for something (it ends with a question mark, or says "I need")
 */
record Turn(
        String latestUser,
        List<String> userMessages,
        List<Result> results,
        Set<Call> calls,
        Set<String> visited,
        boolean lastIsToolResult,
        boolean answersQuestion) {

    /** A tool call of this turn and what it returned. */
    record Result(ToolCall call, String output) {}

    /** A call made, for "not the same call twice in a turn". */
    record Call(String name, @Nullable JsonNode arguments) {}

    static Turn of(ModelRequest request) {
        List<Item> input = request.input();
        int userIndex = -1;
        List<String> users = new ArrayList<>();
        for (int i = input.size() - 1; i >= 0; i--) {
            if (input.get(i) instanceof Message m && m.role() == Message.Role.USER) {
                if (userIndex < 0) {
                    userIndex = i;
                }
                users.add(m.text());
            }
        }
        Map<String, ToolCall> callsById = new HashMap<>();
        for (Item item : input) {
            if (item instanceof ToolCall c) {
                callsById.put(c.callId(), c);
            }
        }
        Set<String> visited = new LinkedHashSet<>();
        Set<String> targets = new LinkedHashSet<>();
        for (Item item : input) {
            String target = item instanceof ToolOutput o ? handoffTarget(o) : null;
            if (target != null) {
                targets.add(target);
            }
        }
        boolean heldBefore = false;
        for (int i = userIndex - 1; i >= 0; i--) {
            String target = input.get(i) instanceof ToolOutput o ? handoffTarget(o) : null;
            if (target != null) {
                visited.add(target);
                heldBefore = true;
                break;
            }
        }
        boolean handedThisTurn = false;
        for (int i = userIndex + 1; i < input.size(); i++) {
            handedThisTurn |= input.get(i) instanceof ToolOutput o && handoffTarget(o) != null;
        }
        if (!heldBefore && handedThisTurn) {
            // The session's first handoff came from the agent it started with, which no handoff led to:
            // that is the one among the offered targets no handoff has named.
            for (var h : request.handoffs()) {
                if (!targets.contains(h.targetAgent())) {
                    visited.add(h.targetAgent());
                }
            }
        }
        List<Result> results = new ArrayList<>();
        Set<Call> calls = new LinkedHashSet<>();
        boolean lastIsToolResult = false;
        for (int i = userIndex + 1; i < input.size(); i++) {
            Item item = input.get(i);
            lastIsToolResult = false;
            if (item instanceof ToolCall c) {
                calls.add(new Call(c.name(), Json.parse(c.arguments())));
            } else if (item instanceof ToolOutput o) {
                String target = handoffTarget(o);
                if (target != null) {
                    visited.add(target);
                } else if (callsById.containsKey(o.callId()) && request.handoffByTool(callsById.get(o.callId()).name()) == null) {
                    results.add(new Result(callsById.get(o.callId()), o.output()));
                    lastIsToolResult = true;
                }
            }
        }
        visited.add(request.agent());
        boolean answersQuestion = false;
        for (int i = userIndex - 1; i >= 0; i--) {
            if (input.get(i) instanceof Message m && m.role() == Message.Role.USER) {
                break;
            }
            if (input.get(i) instanceof Message m && m.role() == Message.Role.ASSISTANT) {
                String text = m.text().strip();
                answersQuestion = text.endsWith("?") || text.contains(" I need ");
                break;
            }
        }
        return new Turn(users.isEmpty() ? "" : users.get(0), List.copyOf(users), List.copyOf(results), Set.copyOf(calls),
                Set.copyOf(visited), lastIsToolResult, answersQuestion);
    }

    /** The agent a handoff's output names ({@code {"assistant":"billing_specialist"}}), or null for other outputs. */
    static @Nullable String handoffTarget(ToolOutput output) {
        JsonNode node = Json.parse(output.output());
        if (node != null && node.isObject() && node.size() == 1 && node.path("assistant").isTextual()) {
            return node.get("assistant").asText();
        }
        return null;
    }

    /**
     * Whether this turn already called {@code name}. The offline model calls each tool at most once
     * per turn: a second call would differ only by values taken from the first one's result.
     */
    boolean calledTool(String name) {
        return calls.stream().anyMatch(c -> c.name().equals(name));
    }

    /** Whether this turn already has a call of {@code name} with these arguments (compared as parsed JSON). */
    boolean called(String name, JsonNode arguments) {
        return calls.contains(new Call(name, Json.parse(Json.write(arguments))));
    }
}
