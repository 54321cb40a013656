package dev.baton.run;

import dev.baton.ModelBehaviorError;
import dev.baton.handoff.Handoff;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.ModelResponse;
import dev.baton.tool.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A model response sorted into what the runner must do: the items in output order, the tool
 * calls to run (with a null tool for an unknown name), the handoff calls, and the text of the
 * last assistant message, with its refusal where that message is one.
 */
record Classified<C>(List<RunItem> items, List<ToolCalls.Pending<C>> toolCalls, List<Classified.HandoffCall<C>> handoffCalls,
        @Nullable String lastText, @Nullable String lastRefusal) {

    /** A call of a handoff's transfer function. */
    record HandoffCall<C>(ToolCall call, Handoff<C, ?> handoff) {}

    /** Sorts a response's output; the pure part of a turn, measured on its own by the benchmarks. */
    static <C> Classified<C> classify(String agentName, ModelResponse response, Map<String, Tool<C>> tools,
            Map<String, Handoff<C, ?>> handoffs, RunConfig.UnknownToolPolicy unknownTools) {
        List<RunItem> items = new ArrayList<>(response.output().size());
        List<ToolCalls.Pending<C>> toolCalls = new ArrayList<>(2);
        List<HandoffCall<C>> handoffCalls = new ArrayList<>(1);
        String lastText = null;
        String lastRefusal = null;
        for (Item item : response.output()) {
            switch (item) {
                case Message m -> {
                    items.add(new RunItem.MessageItem(agentName, m));
                    if (m.role() == Message.Role.ASSISTANT) {
                        lastText = m.text();
                        lastRefusal = m.refusal();
                    }
                }
                case Reasoning r -> items.add(new RunItem.ReasoningItem(agentName, r));
                case ToolCall call -> {
                    Handoff<C, ?> handoff = handoffs.get(call.name());
                    if (handoff != null) {
                        items.add(new RunItem.HandoffCallItem(agentName, call));
                        handoffCalls.add(new HandoffCall<>(call, handoff));
                    } else {
                        Tool<C> tool = tools.get(call.name());
                        if (tool == null && unknownTools == RunConfig.UnknownToolPolicy.FAIL) {
                            throw new ModelBehaviorError("Model called '" + call.name() + "', which agent '" + agentName
                                    + "' does not offer (tools: " + tools.keySet() + ", handoffs: " + handoffs.keySet() + ")",
                                    call.arguments(), null);
                        }
                        items.add(new RunItem.ToolCallItem(agentName, call));
                        toolCalls.add(new ToolCalls.Pending<>(call, tool));
                    }
                }
                case ToolOutput o -> throw new ModelBehaviorError(
                        "Model returned a function call output item (call id " + o.callId() + "); only tools produce those",
                        o.output(), null);
            }
        }
        return new Classified<>(items, toolCalls, handoffCalls, lastText, lastRefusal);
    }
}
