package dev.baton.testing;

import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Model} that answers from a script, for tests: no network, no randomness.
 *
 * <pre>{@code
 * ScriptedModel model = ScriptedModel.create()
 *     .forAgent("support_triage", handoffTo("billing_specialist"))
 *     .forAgent("billing_specialist",
 *         callTool("get_invoice", new GetInvoice("INV-8821")),
 *         reply("Refund initiated for INV-8821."));
 *
 * RunResult result = runner.run(triage, "I was charged twice");
 * model.verify();
 * }</pre>
 *
 * <p>Each call takes the next step scripted for the calling agent ({@link ModelRequest#agent()},
 * see {@link #forAgent}); when that agent has none left, the next step of the global queue
 * ({@link #then}); when that is empty too, the fallback function of {@link #answering}, if any.
 * A call with nothing to answer it fails with an {@link AssertionError} that names the agent, the
 * call number and the last input item. Steps are in {@link Steps}.
 *
 * <p>Function call ids are {@code call_1}, {@code call_2}, ... in call order; response ids are
 * {@code resp_<call number>}; usage follows {@link ScriptedUsage}. {@link #stream} emits the
 * answer in pieces and returns exactly what {@link #respond} would have. Every request is
 * recorded. Thread-safe: runs on several threads may share one model (the order in which they
 * take global steps is then theirs to arrange).
 *
 * <p>Assertion failures raised inside a run may reach the test wrapped or not at all, depending
 * on how the runner reports model errors; {@link #verify()} (also {@link #close()}, for
 * try-with-resources, and {@link ScriptedModelExtension}) raises them again, and fails on
 * steps that were never used.
 */
public final class ScriptedModel implements Model, AutoCloseable {
    private final Object lock = new Object();
    private final Deque<Step> global = new ArrayDeque<>();
    private final Map<String, Deque<Step>> byAgent = new LinkedHashMap<>();
    private final List<ModelRequest> requests = new ArrayList<>();
    private final List<AssertionError> failures = new ArrayList<>();
    private final AtomicInteger callIds = new AtomicInteger();
    private final @Nullable Function<ModelRequest, ModelResponse> fallback;

    private ScriptedModel(@Nullable Function<ModelRequest, ModelResponse> fallback) {
        this.fallback = fallback;
    }

    /** A model with an empty script: add steps with {@link #then} and {@link #forAgent}. */
    public static ScriptedModel create() {
        return new ScriptedModel(null);
    }

    /**
     * A model that answers every call the scripted steps do not (all of them, if none are
     * scripted) with {@code function}: for stateless emulations such as
     * {@link ConformanceScript#supportFlow} and for benchmarks. The response is used as
     * returned; give it a {@link ScriptedUsage} usage for realistic counts.
     */
    public static ScriptedModel answering(Function<ModelRequest, ModelResponse> function) {
        return new ScriptedModel(Objects.requireNonNull(function, "function"));
    }

    /** Appends steps to the global queue, used by calls from any agent without steps of its own left. */
    public ScriptedModel then(Step... steps) {
        synchronized (lock) {
            global.addAll(Arrays.asList(steps));
        }
        return this;
    }

    /** Appends steps for the calls from the agent named {@code agentName}, in order. */
    public ScriptedModel forAgent(String agentName, Step... steps) {
        Objects.requireNonNull(agentName, "agentName");
        synchronized (lock) {
            byAgent.computeIfAbsent(agentName, a -> new ArrayDeque<>()).addAll(Arrays.asList(steps));
        }
        return this;
    }

    @Override
    public ModelResponse respond(ModelRequest request) {
        Objects.requireNonNull(request, "request");
        Step step;
        int call;
        synchronized (lock) {
            requests.add(request);
            call = requests.size();
            step = nextStep(request.agent());
            if (step == null && fallback == null) {
                throw record(new AssertionError(unexpectedCall(request, call)));
            }
        }
        ModelResponse response;
        try {
            response = step != null ? step.answer(request, this::nextCallId) : Objects.requireNonNull(fallback).apply(request);
        } catch (AssertionError e) {
            throw record(e);
        }
        if (response == null) {
            throw new IllegalStateException("the fallback function of ScriptedModel.answering returned null on call #" + call);
        }
        return response.responseId() != null ? response
                : new ModelResponse(response.output(), response.usage(), "resp_" + call);
    }

    /**
     * Answers as {@link #respond} does (consuming one step) and emits the answer first: message
     * text as word-sized {@link ModelStreamEvent.TextDelta}s whose concatenation is the text, a
     * refusal likewise as {@link ModelStreamEvent.RefusalDelta}s, call arguments as
     * {@link ModelStreamEvent.ToolCallDelta}s (index: the call's position in the output),
     * reasoning summaries as {@link ModelStreamEvent.ReasoningDelta}s.
     */
    @Override
    public ModelResponse stream(ModelRequest request, Consumer<ModelStreamEvent> events) {
        ModelResponse response = respond(request);
        StreamChunks.emit(response, events);
        return response;
    }

    /** Every request received, in order. */
    public List<ModelRequest> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    /** The requests from the agent named {@code agentName}, in order. */
    public List<ModelRequest> requestsFor(String agentName) {
        synchronized (lock) {
            return requests.stream().filter(r -> r.agent().equals(agentName)).toList();
        }
    }

    /**
     * The latest request.
     *
     * @throws AssertionError if the model was never called
     */
    public ModelRequest lastRequest() {
        synchronized (lock) {
            if (requests.isEmpty()) {
                throw new AssertionError("ScriptedModel was never called");
            }
            return requests.get(requests.size() - 1);
        }
    }

    /** How many calls the model received. */
    public int callCount() {
        synchronized (lock) {
            return requests.size();
        }
    }

    /** The steps not used yet, described: global ones under the key {@code "*"}, the others under their agent's name. */
    public Map<String, List<String>> remainingSteps() {
        synchronized (lock) {
            Map<String, List<String>> left = new LinkedHashMap<>();
            if (!global.isEmpty()) {
                left.put("*", global.stream().map(String::valueOf).toList());
            }
            byAgent.forEach((agent, steps) -> {
                if (!steps.isEmpty()) {
                    left.put(agent, steps.stream().map(String::valueOf).toList());
                }
            });
            return left;
        }
    }

    /**
     * Fails if a scripted step was never used: the test expected a call that did not happen.
     *
     * @throws AssertionError listing the steps left, per agent
     */
    public void assertAllStepsUsed() {
        Map<String, List<String>> left = remainingSteps();
        if (left.isEmpty()) {
            return;
        }
        int count = left.values().stream().mapToInt(List::size).sum();
        StringBuilder message = new StringBuilder("ScriptedModel has ").append(count)
                .append(count == 1 ? " unused step" : " unused steps")
                .append(" (the run made fewer model calls than scripted):");
        left.forEach((agent, steps) -> message.append("\n  ")
                .append(agent.equals("*") ? "global queue" : "for agent '" + agent + "'")
                .append(": ").append(String.join(", ", steps)));
        message.append("\nCalls received: ").append(callsSummary());
        throw new AssertionError(message.toString());
    }

    /**
     * Fails if something went wrong in a call (an unexpected call, a handoff the request did not
     * offer) even if the runner swallowed or wrapped that failure, then if a step was never used.
     */
    public void verify() {
        @Nullable AssertionError first;
        synchronized (lock) {
            first = failures.isEmpty() ? null : failures.get(0);
        }
        if (first != null) {
            AssertionError error = new AssertionError("ScriptedModel failed during the test: " + first.getMessage(), first);
            synchronized (lock) {
                failures.stream().skip(1).forEach(error::addSuppressed);
            }
            throw error;
        }
        assertAllStepsUsed();
    }

    /** {@link #verify()}, so a model declared in try-with-resources is checked when the block ends. */
    @Override
    public void close() {
        verify();
    }

    @Override
    public String toString() {
        int left = remainingSteps().values().stream().mapToInt(List::size).sum();
        return "ScriptedModel[" + callCount() + " calls received, " + left + " steps left]";
    }

    private @Nullable Step nextStep(String agent) {
        Deque<Step> own = byAgent.get(agent);
        if (own != null && !own.isEmpty()) {
            return own.poll();
        }
        return global.poll();
    }

    private String nextCallId() {
        return "call_" + callIds.incrementAndGet();
    }

    private AssertionError record(AssertionError error) {
        synchronized (lock) {
            failures.add(error);
        }
        return error;
    }

    private String unexpectedCall(ModelRequest request, int call) {
        long fromAgent = requests.stream().filter(r -> r.agent().equals(request.agent())).count();
        StringBuilder message = new StringBuilder("ScriptedModel received an unexpected call #").append(call)
                .append(" (call ").append(fromAgent).append(" from agent '").append(request.agent())
                .append("'): no scripted step is left for it.")
                .append("\n  last input item: ").append(Describe.item(request.lastInput()));
        Map<String, List<String>> left = remainingSteps();
        if (!left.isEmpty()) {
            message.append("\n  steps still scripted for other agents: ").append(left);
        }
        message.append("\n  calls received: ").append(callsSummary())
                .append("\nScript another step with forAgent(\"").append(request.agent()).append("\", ...) or then(...).");
        return message.toString();
    }

    private String callsSummary() {
        synchronized (lock) {
            if (requests.isEmpty()) {
                return "none";
            }
            Map<String, Long> counts = requests.stream()
                    .collect(Collectors.groupingBy(ModelRequest::agent, LinkedHashMap::new, Collectors.counting()));
            return requests.size() + " " + counts.entrySet().stream()
                    .map(e -> e.getKey() + " x" + e.getValue())
                    .collect(Collectors.joining(", ", "(", ")"));
        }
    }
}
