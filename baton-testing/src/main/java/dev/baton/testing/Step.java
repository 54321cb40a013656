package dev.baton.testing;

import dev.baton.item.Item;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One scripted answer of a {@link ScriptedModel}: a reply, tool calls, a handoff, a failure, or a
 * response computed from the request. Create steps with the factories of {@link Steps}; their
 * {@link #toString()} reads like the factory call, which is how failure messages list them.
 */
public final class Step {

    /** Produces the items of an answer; {@code callIds} hands out {@code call_1}, {@code call_2}, ... */
    @FunctionalInterface
    interface Output {
        List<Item> items(ModelRequest request, Supplier<String> callIds);
    }

    private final String description;
    private final @Nullable Output output;
    private final @Nullable Function<ModelRequest, ModelResponse> responder;
    private final @Nullable Usage usage;

    private Step(String description, @Nullable Output output,
            @Nullable Function<ModelRequest, ModelResponse> responder, @Nullable Usage usage) {
        this.description = description;
        this.output = output;
        this.responder = responder;
        this.usage = usage;
    }

    static Step ofItems(String description, Output output) {
        return new Step(description, Objects.requireNonNull(output), null, null);
    }

    static Step ofResponse(String description, Function<ModelRequest, ModelResponse> responder) {
        return new Step(description, null, Objects.requireNonNull(responder, "responder"), null);
    }

    /** One answer made of the items of several item steps, in order. */
    static Step combine(String description, List<Step> parts) {
        List<Output> outputs = new ArrayList<>();
        for (Step part : parts) {
            if (part.output == null) {
                throw new IllegalArgumentException(part + " cannot be part of a combined response: "
                        + "only reply, refuse, callTool, handoffTo and reasoning steps can be combined");
            }
            outputs.add(part.output);
        }
        return ofItems(description, (request, ids) -> {
            List<Item> items = new ArrayList<>();
            for (Output o : outputs) {
                items.addAll(o.items(request, ids));
            }
            return items;
        });
    }

    /**
     * This step reporting the given token counts instead of the {@link ScriptedUsage} rule, for
     * tests of usage accounting.
     */
    public Step withUsage(long inputTokens, long outputTokens) {
        return new Step(description + ".withUsage(" + inputTokens + ", " + outputTokens + ")",
                output, responder, Usage.of(inputTokens, outputTokens));
    }

    boolean producesItems() {
        return output != null;
    }

    /** The answer to {@code request}. Throws what a {@link Steps#fail} step was given. */
    ModelResponse answer(ModelRequest request, Supplier<String> callIds) {
        if (responder != null) {
            ModelResponse response = responder.apply(request);
            if (response == null) {
                throw new IllegalStateException("the function of " + this + " returned null instead of a ModelResponse");
            }
            return usage == null ? response : new ModelResponse(response.output(), usage, response.responseId());
        }
        List<Item> items = List.copyOf(Objects.requireNonNull(output).items(request, callIds));
        return new ModelResponse(items, usage != null ? usage : ScriptedUsage.of(request, items));
    }

    @Override
    public String toString() {
        return description;
    }
}
