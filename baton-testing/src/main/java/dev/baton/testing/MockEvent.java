package dev.baton.testing;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What the active agent's model does at one point of a {@link MockRun#mockRun mock run}: hand the
 * conversation to another agent, call a tool, do several of these in one turn, or give the final
 * answer. Each event is one model call; the tools, handoffs, guardrails and sessions around it are
 * the real ones. Import the factories statically:
 *
 * <pre>{@code
 * RunResult result = mockRun(triage, "I was charged twice for INV-8821",
 *         handoff("billing_specialist"),
 *         toolCall("get_invoice", new GetInvoice("INV-8821")),
 *         done("Refund initiated."));
 * }</pre>
 *
 * <p>Arguments and handoff inputs are given as the tool's argument record (serialised the way Baton
 * serialises them, so property names are snake_case as in the schema), as a {@code Map}, or as JSON
 * text; each must be a JSON object, and anything else is rejected when the event is created. Each
 * event's {@link #toString()} reads like its factory call, which is how failure messages name it.
 */
public sealed interface MockEvent permits MockEvent.Handoff, MockEvent.ToolCall, MockEvent.Turn, MockEvent.Done,
        MockEvent.ModelStep {

    /**
     * The model calls the transfer function its agent offers for {@code agent}. The function is
     * looked up in the request when the model is called, so a handoff the agent does not offer fails
     * the run, naming the handoffs it does offer.
     *
     * @param agent the target agent's name
     * @param input the transfer function's arguments, a JSON object ({@code {}} for none)
     */
    record Handoff(String agent, String input) implements MockEvent {
        public Handoff {
            EventArguments.requireName(agent, "handoff target agent");
            input = EventArguments.object(input, "handoff(\"" + agent + "\") input");
        }

        @Override
        public String toString() {
            return "handoff(" + Steps.quote(agent) + (input.equals("{}") ? "" : ", " + Steps.abbreviate(input)) + ")";
        }
    }

    /**
     * The model calls the tool {@code tool}; the run executes the real tool (with its guardrails and
     * approval policy) and the next event sees its output.
     *
     * @param tool the tool's name, as the model sees it
     * @param arguments the call's arguments, a JSON object
     */
    record ToolCall(String tool, String arguments) implements MockEvent {
        public ToolCall {
            EventArguments.requireName(tool, "tool name");
            arguments = EventArguments.object(arguments, "toolCall(\"" + tool + "\") arguments");
        }

        @Override
        public String toString() {
            return "toolCall(" + Steps.quote(tool) + (arguments.equals("{}") ? "" : ", " + Steps.abbreviate(arguments)) + ")";
        }
    }

    /**
     * Several calls in one model response: tools called in parallel, or tool calls and handoffs
     * together (of several handoffs, the first wins).
     *
     * @param calls the {@link ToolCall}s and {@link Handoff}s, in order
     */
    record Turn(List<MockEvent> calls) implements MockEvent {
        public Turn {
            Objects.requireNonNull(calls, "calls");
            if (calls.isEmpty()) {
                throw new IllegalArgumentException("turn(...) needs at least one toolCall or handoff");
            }
            for (int i = 0; i < calls.size(); i++) {
                MockEvent call = calls.get(i);
                if (!(call instanceof ToolCall || call instanceof Handoff)) {
                    throw new IllegalArgumentException("turn(...) takes only toolCall(...) and handoff(...) events, but part "
                            + (i + 1) + " is " + call + "; a final answer is an event of its own");
                }
            }
            calls = List.copyOf(calls);
        }

        @Override
        public String toString() {
            return "turn(" + calls.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")";
        }
    }

    /**
     * The model answers with this text and calls nothing: the agent's final output (for an agent
     * with a structured output type, the text is its JSON).
     *
     * @param text the answer
     */
    record Done(String text) implements MockEvent {
        public Done {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public String toString() {
            return "done(" + Steps.quote(text) + ")";
        }
    }

    /**
     * Any {@link ScriptedModel} step as the model's answer at this point, for what the other events
     * do not cover: a failing model call ({@link Steps#fail}), malformed arguments, reasoning.
     *
     * @param step the step
     */
    record ModelStep(Step step) implements MockEvent {
        public ModelStep {
            Objects.requireNonNull(step, "step");
        }

        @Override
        public String toString() {
            return "step(" + step + ")";
        }
    }

    /** A handoff to the agent named {@code agent}, with no input. */
    static Handoff handoff(String agent) {
        return new Handoff(agent, "{}");
    }

    /** A handoff to the agent named {@code agent} with this input: the handoff's input record, a {@code Map} or JSON text. */
    static Handoff handoff(String agent, Object input) {
        return new Handoff(agent, EventArguments.json(input, "handoff(\"" + agent + "\") input"));
    }

    /** A call of the tool {@code tool} with no arguments ({@code {}}). */
    static ToolCall toolCall(String tool) {
        return new ToolCall(tool, "{}");
    }

    /** A call of the tool {@code tool} with these arguments: the tool's argument record, a {@code Map} or JSON text. */
    static ToolCall toolCall(String tool, Object arguments) {
        return new ToolCall(tool, EventArguments.json(arguments, "toolCall(\"" + tool + "\") arguments"));
    }

    /** Several tool calls and handoffs in one model response. */
    static Turn turn(MockEvent... calls) {
        Objects.requireNonNull(calls, "calls");
        for (int i = 0; i < calls.length; i++) {
            if (calls[i] == null) {
                throw new NullPointerException("part " + (i + 1) + " of turn(...) is null");
            }
        }
        return new Turn(Arrays.asList(calls));
    }

    /** The final answer: an assistant message with this text and no calls. */
    static Done done(String text) {
        return new Done(text);
    }

    /** A {@link ScriptedModel} step (see {@link Steps}) as the model's answer at this point. */
    static ModelStep step(Step step) {
        return new ModelStep(step);
    }
}
