package dev.baton.run;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import dev.baton.model.Usage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A minimal model for the core's own tests: answers in order from a list of functions and keeps
 * every request. (The full scripted model lives in baton-testing, which depends on the core.)
 */
final class Script implements Model {
    private final List<Function<ModelRequest, ModelResponse>> steps;
    private final AtomicInteger next = new AtomicInteger();
    final List<ModelRequest> requests = new CopyOnWriteArrayList<>();
    private static final AtomicInteger ids = new AtomicInteger();

    @SafeVarargs
    Script(Function<ModelRequest, ModelResponse>... steps) {
        this.steps = Arrays.asList(steps);
    }

    @Override
    public ModelResponse respond(ModelRequest request) {
        requests.add(request);
        int i = next.getAndIncrement();
        if (i >= steps.size()) {
            throw new AssertionError("unexpected model call #" + (i + 1) + " for agent " + request.agent());
        }
        return steps.get(i).apply(request);
    }

    @Override
    public ModelResponse stream(ModelRequest request, Consumer<ModelStreamEvent> events) {
        ModelResponse response = respond(request);
        for (Item item : response.output()) {
            if (item instanceof Message m) {
                for (String word : m.text().split("(?<= )")) {
                    events.accept(new ModelStreamEvent.TextDelta(word));
                }
            }
        }
        return response;
    }

    int calls() {
        return next.get();
    }

    static Function<ModelRequest, ModelResponse> reply(String text) {
        return r -> response(Message.assistant(text));
    }

    static Function<ModelRequest, ModelResponse> call(String name, String json) {
        return r -> response(toolCall(name, json));
    }

    static Function<ModelRequest, ModelResponse> items(Item... items) {
        return r -> response(items);
    }

    static Function<ModelRequest, ModelResponse> handoff(String agent) {
        return r -> {
            var spec = r.handoffTo(agent);
            if (spec == null) {
                throw new AssertionError("no handoff to " + agent + " offered to " + r.agent());
            }
            return response(toolCall(spec.toolName(), "{}"));
        };
    }

    static ToolCall toolCall(String name, String json) {
        return new ToolCall("call_" + ids.incrementAndGet(), name, json);
    }

    static ModelResponse response(Item... items) {
        return new ModelResponse(new ArrayList<>(List.of(items)), Usage.of(10, 5), "resp_" + ids.incrementAndGet());
    }
}
