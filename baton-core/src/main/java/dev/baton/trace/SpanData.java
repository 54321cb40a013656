package dev.baton.trace;

import dev.baton.item.Item;
import dev.baton.model.Usage;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a span is about. One record per kind of step in a run, each holding what an exporter needs
 * to describe that step; the set is closed so exporters can map every kind exhaustively.
 *
 * <p>A span's data can change while it is open ({@link Tracer.ActiveSpan#update}): a model call span
 * starts without output or usage and gets them before it ends. Fields that hold conversation content
 * (model input and output, tool arguments and results) are null when the run leaves sensitive data
 * out of traces.
 */
public sealed interface SpanData
        permits SpanData.Agent, SpanData.ModelCall, SpanData.ToolCall, SpanData.Handoff, SpanData.Guardrail, SpanData.Custom {

    /** A short, stable name of the kind of span: {@code agent}, {@code model_call}, and so on. */
    String type();

    /**
     * An agent's stretch of the run, from when it becomes active until it hands off or the run ends.
     * Its model calls, tools and handoff are its children.
     *
     * @param name the agent's name
     * @param tools names of the tools offered to the model
     * @param handoffs names of the transfer functions offered to the model
     * @param outputType the name of the structured output type, or null for plain text
     */
    record Agent(String name, List<String> tools, List<String> handoffs, @Nullable String outputType) implements SpanData {
        public Agent {
            Objects.requireNonNull(name, "name");
            tools = List.copyOf(tools);
            handoffs = List.copyOf(handoffs);
        }

        @Override
        public String type() {
            return "agent";
        }
    }

    /**
     * One call of a model.
     *
     * @param agent the agent whose model was called
     * @param model the model's name, where known
     * @param input the items sent, or null when sensitive data is left out
     * @param output the items received, or null when sensitive data is left out (or before the call
     *     returns)
     * @param usage the tokens spent, once known
     * @param responseId the provider's id for the response, where it gave one
     */
    record ModelCall(
            String agent,
            @Nullable String model,
            @Nullable List<Item> input,
            @Nullable List<Item> output,
            @Nullable Usage usage,
            @Nullable String responseId)
            implements SpanData {
        public ModelCall {
            Objects.requireNonNull(agent, "agent");
            input = input == null ? null : List.copyOf(input);
            output = output == null ? null : List.copyOf(output);
        }

        @Override
        public String type() {
            return "model_call";
        }
    }

    /**
     * One call of a function tool.
     *
     * @param agent the agent whose model called the tool
     * @param tool the tool's name
     * @param callId the model's id for the call
     * @param arguments the arguments as the model wrote them, or null when sensitive data is left out
     * @param output the text the model reads back, or null when sensitive data is left out (or
     *     before the tool returns)
     * @param error whether the output reports a failure (the model reads an error message)
     */
    record ToolCall(String agent, String tool, String callId, @Nullable String arguments, @Nullable String output, boolean error)
            implements SpanData {
        public ToolCall {
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(tool, "tool");
            Objects.requireNonNull(callId, "callId");
        }

        @Override
        public String type() {
            return "tool_call";
        }
    }

    /**
     * A handoff from one agent to another.
     *
     * @param from the agent that handed off
     * @param to the agent that takes over, or null while it is not yet known
     */
    record Handoff(String from, @Nullable String to) implements SpanData {
        public Handoff {
            Objects.requireNonNull(from, "from");
        }

        @Override
        public String type() {
            return "handoff";
        }
    }

    /**
     * One guardrail check.
     *
     * @param name the guardrail's name
     * @param kind where it ran: {@code input}, {@code output}, {@code tool_input} or {@code
     *     tool_output}
     * @param triggered whether its tripwire was triggered
     */
    record Guardrail(String name, String kind, boolean triggered) implements SpanData {
        public Guardrail {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
        }

        @Override
        public String type() {
            return "guardrail";
        }
    }

    /**
     * A span of the application's own.
     *
     * @param name what the span is about
     * @param attributes values to record with it; null keys and values are dropped, order is kept
     */
    record Custom(String name, Map<String, Object> attributes) implements SpanData {
        public Custom {
            Objects.requireNonNull(name, "name");
            attributes = Maps.copyWithoutNulls(attributes);
        }

        @Override
        public String type() {
            return "custom";
        }
    }
}
