package dev.baton.testing;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.model.HandoffSpec;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The steps a {@link ScriptedModel} can be scripted with. Import them statically:
 *
 * <pre>{@code
 * ScriptedModel model = ScriptedModel.create()
 *     .forAgent("support_triage", handoffTo("billing_specialist"))
 *     .forAgent("billing_specialist",
 *         callTool("get_invoice", new GetInvoice("INV-8821")),
 *         reply("Refund initiated for INV-8821."));
 * }</pre>
 *
 * <p>Function calls get the ids {@code call_1}, {@code call_2}, ... in the order the model makes
 * them, counted per model.
 */
public final class Steps {
    private Steps() {}

    /** An assistant message with this text: a final answer, unless calls come with it. */
    public static Step reply(String text) {
        Objects.requireNonNull(text, "text");
        return Step.ofItems("reply(" + quote(text) + ")", (request, ids) -> List.of(Message.assistant(text)));
    }

    /**
     * An assistant message in which the model declines to answer, saying {@code refusal}: as a
     * final answer it fails the run with {@link dev.baton.ModelRefusalError} (or goes to the run's
     * error handler), whatever the agent's output type.
     */
    public static Step refuse(String refusal) {
        Objects.requireNonNull(refusal, "refusal");
        return Step.ofItems("refuse(" + quote(refusal) + ")", (request, ids) -> List.of(Message.assistantRefusal(refusal)));
    }

    /**
     * A call of the tool {@code name} with arguments serialised from {@code arguments} (usually the
     * tool's argument record) the way Baton serialises them, so property names are snake_case as in
     * the tool's schema.
     */
    public static Step callTool(String name, Object arguments) {
        Objects.requireNonNull(arguments, "arguments");
        return callTool(name, Json.write(arguments));
    }

    /** A call of the tool {@code name} with these arguments, exactly as written (they may be malformed on purpose). */
    public static Step callTool(String name, String rawJson) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rawJson, "rawJson");
        return Step.ofItems("callTool(" + quote(name) + ", " + abbreviate(rawJson) + ")",
                (request, ids) -> List.of(new ToolCall(ids.get(), name, rawJson)));
    }

    /** A call of the tool {@code name} with no arguments ({@code {}}). */
    public static Step callTool(String name) {
        return callTool(name, "{}");
    }

    /** Several tool calls in one response (the model calling tools in parallel). */
    public static Step callTools(Step... calls) {
        if (calls.length == 0) {
            throw new IllegalArgumentException("callTools needs at least one call");
        }
        return Step.combine("callTools(" + list(calls) + ")", Arrays.asList(calls));
    }

    /**
     * One response made of several parts, in order: e.g. a message and calls, or two handoffs.
     * Parts are {@code reply}, {@code refuse}, {@code callTool}, {@code handoffTo} and {@code reasoning} steps.
     */
    public static Step response(Step... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("a response needs at least one part; use reply(\"\") for an empty message");
        }
        return Step.combine("response(" + list(parts) + ")", Arrays.asList(parts));
    }

    /**
     * A call of the transfer function of the handoff to {@code agentName}, found among the
     * request's handoffs, with no input ({@code {}}).
     *
     * @throws AssertionError when the model is called, if the request offers no handoff to that agent
     */
    public static Step handoffTo(String agentName) {
        return handoff(agentName, "{}", "handoffTo(" + quote(agentName) + ")");
    }

    /** As {@link #handoffTo(String)}, with the handoff's input serialised from a record. */
    public static Step handoffTo(String agentName, Object input) {
        Objects.requireNonNull(input, "input");
        return handoffTo(agentName, Json.write(input));
    }

    /** As {@link #handoffTo(String)}, with the handoff's input as written. */
    public static Step handoffTo(String agentName, String rawJson) {
        Objects.requireNonNull(rawJson, "rawJson");
        return handoff(agentName, rawJson, "handoffTo(" + quote(agentName) + ", " + abbreviate(rawJson) + ")");
    }

    /** A reasoning item with this summary; combine it with a reply or calls through {@link #response}. */
    public static Step reasoning(String summary) {
        Objects.requireNonNull(summary, "summary");
        return Step.ofItems("reasoning(" + quote(summary) + ")", (request, ids) -> List.of(new Reasoning(summary)));
    }

    /** The model call throws this exception (a provider outage, a rate limit). */
    public static Step fail(RuntimeException error) {
        Objects.requireNonNull(error, "error");
        return Step.ofResponse("fail(" + error.getClass().getSimpleName()
                + (error.getMessage() == null ? "" : ": " + abbreviate(error.getMessage())) + ")", request -> {
                    throw error;
                });
    }

    /**
     * A response computed from the request: for answers that depend on the conversation. The
     * response is used as returned, usage included.
     */
    public static Step respond(Function<ModelRequest, ModelResponse> function) {
        return Step.ofResponse("respond(<function>)", function);
    }

    /** A handoff step described as {@code description}, which is how failure messages name it. */
    static Step handoff(String agentName, String arguments, String description) {
        Objects.requireNonNull(agentName, "agentName");
        return Step.ofItems(description, (request, ids) -> {
            HandoffSpec spec = request.handoffTo(agentName);
            if (spec == null) {
                throw new AssertionError(description + " was scripted for a call from agent '" + request.agent()
                        + "', but that request offers no handoff to '" + agentName + "'. Offered handoffs: "
                        + offered(request));
            }
            return List.<Item>of(new ToolCall(ids.get(), spec.toolName(), arguments));
        });
    }

    private static String offered(ModelRequest request) {
        if (request.handoffs().isEmpty()) {
            return "none";
        }
        return request.handoffs().stream()
                .map(h -> h.toolName() + " -> " + h.targetAgent())
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static String list(Step... steps) {
        return Arrays.stream(steps).map(String::valueOf).collect(Collectors.joining(", "));
    }

    static String quote(String text) {
        return "\"" + abbreviate(text).replace("\n", "\\n") + "\"";
    }

    static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
