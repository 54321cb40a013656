package dev.baton.robustness;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A model answering from a list of steps, in order, for the robustness specs. */
final class StepModel implements Model {
    private final List<Function<ModelRequest, ModelResponse>> steps;
    private final AtomicInteger next = new AtomicInteger();
    final List<ModelRequest> requests = new CopyOnWriteArrayList<>();
    private static final AtomicInteger ids = new AtomicInteger();

    @SafeVarargs
    StepModel(Function<ModelRequest, ModelResponse>... steps) {
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

    static Function<ModelRequest, ModelResponse> reply(String text) {
        return r -> response(Message.assistant(text));
    }

    static Function<ModelRequest, ModelResponse> call(String name, String json) {
        return r -> response(new ToolCall("call_" + ids.incrementAndGet(), name, json));
    }

    static Function<ModelRequest, ModelResponse> items(Item... items) {
        return r -> response(items);
    }

    static ModelResponse response(Item... items) {
        return new ModelResponse(new ArrayList<>(List.of(items)), Usage.of(10, 5), "resp_" + ids.incrementAndGet());
    }
}
