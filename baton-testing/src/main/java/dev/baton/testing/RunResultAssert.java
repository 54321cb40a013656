package dev.baton.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.run.RunResult;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractStringAssert;
import org.assertj.core.api.Assertions;

/**
 * Assertions on a {@link RunResult}: who handed off to whom, which tools were called with what,
 * what the run answered. Every failure message ends with the run's transcript ({@link Transcript})
 * so a failing test explains itself. Start with {@link BatonAssertions#assertThat(RunResult)}.
 *
 * <pre>{@code
 * assertThat(result)
 *     .handedOffTo("billing_specialist")
 *     .usedTool("get_invoice", new GetInvoice("INV-8821"))
 *     .lastAgent("billing_specialist")
 *     .finalOutputContains("Refund initiated");
 * }</pre>
 */
public final class RunResultAssert extends AbstractAssert<RunResultAssert, RunResult> {

    /** Compares JSON numbers by value, so {@code 99} written by a model equals a record's {@code 99L}. */
    private static final Comparator<JsonNode> JSON_VALUES = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return toDecimal(a).compareTo(toDecimal(b));
        }
        return a.equals(b) ? 0 : 1;
    };

    RunResultAssert(RunResult actual) {
        super(actual, RunResultAssert.class);
    }

    /**
     * The run ended with a final output that says something: not null, and not blank as text
     * (an empty final message is a run that answered nothing).
     */
    public RunResultAssert completed() {
        isNotNull();
        if (actual.isPaused()) {
            fail("Expected the run to complete, but it paused awaiting approval of " + Describe.approvals(actual.interruptions()));
        }
        if (actual.finalOutput() == null || actual.finalOutputText().isBlank()) {
            fail("Expected the run to have a final output, but it has " + show(actual.finalOutput()));
        }
        return this;
    }

    /** The run paused for a human's decision on one or more tool calls, instead of finishing. */
    public RunResultAssert paused() {
        isNotNull();
        if (!actual.isPaused()) {
            fail("Expected the run to pause for approval, but it completed with agent '" + actual.lastAgent() + "' answering "
                    + Describe.text(actual.finalOutputText()));
        }
        return this;
    }

    /** The run paused, and one of the calls waiting for approval is a call of the tool {@code toolName}. */
    public RunResultAssert awaitingApproval(String toolName) {
        paused();
        if (actual.interruptions().stream().noneMatch(r -> r.toolName().equals(toolName))) {
            fail("Expected the run to await approval of tool '" + toolName + "', but it awaits approval of "
                    + Describe.approvals(actual.interruptions()));
        }
        return this;
    }

    /**
     * The conversation passed through exactly these agents, in order: the agent the run started
     * with, then each handoff's target. Unlike {@link #handedOffTo}, it names the first agent too.
     */
    public RunResultAssert agentPath(String... agentsInOrder) {
        isNotNull();
        List<String> expected = Arrays.asList(agentsInOrder);
        List<String> path = agentPath();
        if (!path.equals(expected)) {
            fail("Expected the conversation to go " + String.join(" -> ", expected) + ", but it went " + String.join(" -> ", path));
        }
        return this;
    }

    /**
     * The run's handoffs went to exactly these agents, in this order (the targets of its
     * handoff outputs). No arguments is the same as {@link #noHandoffs()}.
     */
    public RunResultAssert handedOffTo(String... agentsInOrder) {
        isNotNull();
        List<String> expected = Arrays.asList(agentsInOrder);
        List<String> targets = handoffTargets();
        if (!targets.equals(expected)) {
            fail("Expected the run to hand off to " + expected + " (in that order), but it handed off to " + targets);
        }
        return this;
    }

    /** The run did not hand off. */
    public RunResultAssert noHandoffs() {
        isNotNull();
        List<String> targets = handoffTargets();
        if (!targets.isEmpty()) {
            fail("Expected the run not to hand off, but it handed off to " + targets);
        }
        return this;
    }

    /** The run called the tool {@code name} at least once. */
    public RunResultAssert usedTool(String name) {
        isNotNull();
        if (toolCalls(name).isEmpty()) {
            fail("Expected the run to call tool '" + name + "', but it was never called; tools called: " + toolsCalled());
        }
        return this;
    }

    /**
     * The run called the tool {@code name} with these arguments at least once. The expected
     * arguments (usually the tool's argument record) are serialised as Baton serialises them and
     * compared with each call's arguments as JSON trees: property order and number formats do not
     * matter, names and values do.
     */
    public RunResultAssert usedTool(String name, Object expectedArguments) {
        Objects.requireNonNull(expectedArguments, "expectedArguments");
        return usedToolWith(name, Json.tree(expectedArguments));
    }

    /** As {@link #usedTool(String, Object)}, with the expected arguments as JSON text. */
    public RunResultAssert usedTool(String name, String expectedJson) {
        return usedToolWith(name, Json.parseOrThrow(expectedJson, "the expected arguments of tool '" + name + "'"));
    }

    /** The run never called the tool {@code name}. */
    public RunResultAssert didNotUseTool(String name) {
        isNotNull();
        List<ToolCall> calls = toolCalls(name);
        if (!calls.isEmpty()) {
            fail("Expected the run not to call tool '" + name + "', but it called it " + calls.size()
                    + (calls.size() == 1 ? " time" : " times") + " with " + arguments(calls));
        }
        return this;
    }

    /** The final output, as text, contains {@code text}. */
    public RunResultAssert finalOutputContains(String text) {
        isNotNull();
        if (!actual.finalOutputText().contains(text)) {
            fail("Expected the final output to contain " + Describe.text(text) + ", but it is "
                    + Describe.text(actual.finalOutputText()));
        }
        return this;
    }

    /** The whole final output, as text, matches the regular expression {@code regex}. */
    public RunResultAssert finalOutputMatches(String regex) {
        isNotNull();
        if (!Pattern.compile(regex, Pattern.DOTALL).matcher(actual.finalOutputText()).matches()) {
            fail("Expected the final output to match /" + regex + "/, but it is " + Describe.text(actual.finalOutputText()));
        }
        return this;
    }

    /** The final output equals {@code expected}: a string, or a structured output's record. */
    public RunResultAssert finalOutputIsEqualTo(Object expected) {
        isNotNull();
        if (!Objects.equals(actual.finalOutput(), expected)) {
            fail("Expected the final output to be " + show(expected) + ", but it is " + show(actual.finalOutput()));
        }
        return this;
    }

    /**
     * The final output, as text, satisfies {@code condition}, which {@code description} names in
     * the failure message (for example "mentions a refund").
     */
    public RunResultAssert finalOutputSatisfies(String description, Predicate<String> condition) {
        isNotNull();
        Objects.requireNonNull(condition, "condition");
        if (!condition.test(actual.finalOutputText())) {
            fail("Expected the final output to satisfy \"" + description + "\", but it is " + Describe.text(actual.finalOutputText()));
        }
        return this;
    }

    /** The agent that gave the final output (and now holds the conversation) is {@code agentName}. */
    public RunResultAssert lastAgent(String agentName) {
        isNotNull();
        if (!actual.lastAgent().equals(agentName)) {
            fail("Expected the last agent to be '" + agentName + "', but it is '" + actual.lastAgent() + "'");
        }
        return this;
    }

    /** The run made exactly {@code expected} model calls ({@link RunResult#turns()}). */
    public RunResultAssert turns(int expected) {
        isNotNull();
        if (actual.turns() != expected) {
            fail("Expected the run to take " + expected + " turns, but it took " + actual.turns());
        }
        return this;
    }

    /** No tool call of the run failed (no tool output reports an error). */
    public RunResultAssert noErrors() {
        isNotNull();
        List<RunItem.ToolOutputItem> errors = actual.newItems().stream()
                .filter(i -> i instanceof RunItem.ToolOutputItem o && o.error())
                .map(i -> (RunItem.ToolOutputItem) i)
                .toList();
        if (!errors.isEmpty()) {
            fail("Expected no tool errors, but " + errors.size() + (errors.size() == 1 ? " call" : " calls")
                    + " failed: " + errors.stream().map(e -> Describe.text(e.output().output())).toList());
        }
        return this;
    }

    /**
     * Assertions on the output of the first call of the tool {@code toolName}: the text the
     * model read (a result, or an error message).
     */
    public AbstractStringAssert<?> toolOutput(String toolName) {
        isNotNull();
        List<ToolCall> calls = toolCalls(toolName);
        if (calls.isEmpty()) {
            fail("Expected an output of tool '" + toolName + "', but the tool was never called; tools called: " + toolsCalled());
        }
        String callId = calls.get(0).callId();
        Optional<RunItem.ToolOutputItem> output = actual.newItems().stream()
                .filter(i -> i instanceof RunItem.ToolOutputItem o && o.output().callId().equals(callId))
                .map(i -> (RunItem.ToolOutputItem) i)
                .findFirst();
        if (output.isEmpty()) {
            fail("Expected an output of tool '" + toolName + "' (call " + callId + "), but the run has none");
        }
        return Assertions.assertThat(output.orElseThrow().output().output())
                .as("output of tool '%s' (call %s)", toolName, callId);
    }

    private RunResultAssert usedToolWith(String name, JsonNode expected) {
        isNotNull();
        List<ToolCall> calls = toolCalls(name);
        if (calls.isEmpty()) {
            fail("Expected the run to call tool '" + name + "' with " + expected + ", but it was never called; tools called: "
                    + toolsCalled());
        }
        boolean matched = calls.stream()
                .map(c -> Json.parse(c.arguments()))
                .anyMatch(a -> a.isPresent() && expected.equals(JSON_VALUES, a.get()));
        if (!matched) {
            fail("Expected the run to call tool '" + name + "' with " + expected + ", but it was called with " + arguments(calls));
        }
        return this;
    }

    private List<String> agentPath() {
        List<String> path = new ArrayList<>();
        path.add(actual.newItems().isEmpty() ? actual.lastAgent() : actual.newItems().get(0).agent());
        path.addAll(handoffTargets());
        return path;
    }

    private List<String> handoffTargets() {
        return actual.newItems().stream()
                .filter(i -> i instanceof RunItem.HandoffOutputItem)
                .map(i -> ((RunItem.HandoffOutputItem) i).target())
                .toList();
    }

    private List<ToolCall> toolCalls(String name) {
        return actual.newItems().stream()
                .filter(i -> i instanceof RunItem.ToolCallItem c && c.call().name().equals(name))
                .map(i -> ((RunItem.ToolCallItem) i).call())
                .toList();
    }

    private List<String> toolsCalled() {
        return actual.newItems().stream()
                .filter(i -> i instanceof RunItem.ToolCallItem)
                .map(i -> ((RunItem.ToolCallItem) i).call().name())
                .distinct()
                .toList();
    }

    private static String arguments(List<ToolCall> calls) {
        return calls.stream().map(c -> Describe.shorten(c.arguments())).toList().toString();
    }

    private static String show(@org.jspecify.annotations.Nullable Object value) {
        if (value == null) {
            return "null";
        }
        return value instanceof String s ? Describe.text(s) : value + " (" + value.getClass().getSimpleName() + ")";
    }

    private static BigDecimal toDecimal(JsonNode number) {
        return number.decimalValue();
    }

    private void fail(String problem) {
        failWithMessage("%s", problem + "\nRun transcript, " + Transcript.of(actual));
    }
}
