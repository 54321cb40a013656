package dev.baton.robustness;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A tiny per-agent scripted model for the review specs. */
final class Scripted implements Model {
    private final Map<String, ConcurrentLinkedQueue<Function<ModelRequest, ModelResponse>>> steps = new ConcurrentHashMap<>();
    private static final AtomicInteger ids = new AtomicInteger();

    @SafeVarargs
    final Scripted forAgent(String agent, Function<ModelRequest, ModelResponse>... s) {
        steps.computeIfAbsent(agent, a -> new ConcurrentLinkedQueue<>()).addAll(List.of(s));
        return this;
    }

    @Override
    public ModelResponse respond(ModelRequest request) {
        var q = steps.get(request.agent());
        var step = q == null ? null : q.poll();
        if (step == null) {
            throw new AssertionError("unexpected model call for " + request.agent());
        }
        return step.apply(request);
    }

    static Function<ModelRequest, ModelResponse> reply(String text) {
        return r -> response(Message.assistant(text));
    }

    static Function<ModelRequest, ModelResponse> calls(String... nameAndJson) {
        return r -> {
            List<Item> out = new ArrayList<>();
            for (int i = 0; i < nameAndJson.length; i += 2) {
                out.add(new ToolCall("call_" + ids.incrementAndGet(), nameAndJson[i], nameAndJson[i + 1]));
            }
            return new ModelResponse(out, Usage.of(1, 1));
        };
    }

    static Function<ModelRequest, ModelResponse> handoff(String agent) {
        return r -> response(new ToolCall("call_" + ids.incrementAndGet(), r.handoffTo(agent).toolName(), "{}"));
    }

    static ModelResponse response(Item... items) {
        return new ModelResponse(List.of(items), Usage.of(1, 1));
    }
}
