package dev.baton.item;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened in a run, attributed to the agent that was active: the model's
 * messages and calls, tool outputs, handoffs. {@link #toItem()} gives the conversation item a
 * model sees for it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RunItem.MessageItem.class, name = "message"),
    @JsonSubTypes.Type(value = RunItem.ToolCallItem.class, name = "tool_call"),
    @JsonSubTypes.Type(value = RunItem.ToolOutputItem.class, name = "tool_output"),
    @JsonSubTypes.Type(value = RunItem.HandoffCallItem.class, name = "handoff_call"),
    @JsonSubTypes.Type(value = RunItem.HandoffOutputItem.class, name = "handoff_output"),
    @JsonSubTypes.Type(value = RunItem.ReasoningItem.class, name = "reasoning")
})
public sealed interface RunItem {

    /** Name of the agent that was active when this item was produced. */
    String agent();

    /** The conversation item a model sees for this run item. */
    Item toItem();

    /** An assistant message written by the model. */
    record MessageItem(String agent, Message message) implements RunItem {
        public String text() {
            return message.text();
        }

        /** The model's refusal, where it declined to answer in this message. */
        public @Nullable String refusal() {
            return message.refusal();
        }

        @Override
        public Item toItem() {
            return message;
        }
    }

    /** A call of a function tool requested by the model. */
    record ToolCallItem(String agent, ToolCall call) implements RunItem {
        @Override
        public Item toItem() {
            return call;
        }
    }

    /**
     * The output of a tool call (or of a handoff call that was ignored).
     *
     * @param error true when the output reports a failure (the tool threw, timed out, got bad
     *     arguments, or did not exist) rather than a result
     */
    record ToolOutputItem(String agent, ToolOutput output, boolean error) implements RunItem {
        @Override
        public Item toItem() {
            return output;
        }
    }

    /** A call of a handoff's transfer tool requested by the model. */
    record HandoffCallItem(String agent, ToolCall call) implements RunItem {
        @Override
        public Item toItem() {
            return call;
        }
    }

    /** The output of the transfer tool of a handoff that took place: {@code agent} handed to {@code target}. */
    record HandoffOutputItem(String agent, ToolOutput output, String target) implements RunItem {
        @Override
        public Item toItem() {
            return output;
        }
    }

    /** A reasoning item from the model. */
    record ReasoningItem(String agent, Reasoning reasoning) implements RunItem {
        @Override
        public Item toItem() {
            return reasoning;
        }
    }
}
