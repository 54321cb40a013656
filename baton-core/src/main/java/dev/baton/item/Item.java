package dev.baton.item;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * One entry of a conversation as a model sees it: a message, a function call, a function call's
 * output, or a reasoning item. Sessions store these and models receive them as input, so they are
 * plain, serialisable values with no reference to agents or tools.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Message.class, name = "message"),
    @JsonSubTypes.Type(value = ToolCall.class, name = "function_call"),
    @JsonSubTypes.Type(value = ToolOutput.class, name = "function_call_output"),
    @JsonSubTypes.Type(value = Reasoning.class, name = "reasoning")
})
public sealed interface Item permits Message, ToolCall, ToolOutput, Reasoning {}
