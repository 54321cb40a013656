package dev.baton.model;

import java.util.Objects;

/** Whether and which function the model must call on its next answer. */
@com.fasterxml.jackson.annotation.JsonTypeInfo(use = com.fasterxml.jackson.annotation.JsonTypeInfo.Id.NAME, property = "type")
@com.fasterxml.jackson.annotation.JsonSubTypes({
    @com.fasterxml.jackson.annotation.JsonSubTypes.Type(value = ToolChoice.Auto.class, name = "auto"),
    @com.fasterxml.jackson.annotation.JsonSubTypes.Type(value = ToolChoice.Required.class, name = "required"),
    @com.fasterxml.jackson.annotation.JsonSubTypes.Type(value = ToolChoice.None.class, name = "none"),
    @com.fasterxml.jackson.annotation.JsonSubTypes.Type(value = ToolChoice.Named.class, name = "function")
})
public sealed interface ToolChoice {

    /** The model decides. */
    record Auto() implements ToolChoice {}

    /** The model must call some function. */
    record Required() implements ToolChoice {}

    /** The model must not call a function. */
    record None() implements ToolChoice {}

    /** The model must call this function (a tool or a handoff's transfer tool). */
    record Named(String name) implements ToolChoice {
        public Named {
            Objects.requireNonNull(name, "name");
        }
    }

    static ToolChoice auto() {
        return new Auto();
    }

    static ToolChoice required() {
        return new Required();
    }

    static ToolChoice none() {
        return new None();
    }

    static ToolChoice named(String name) {
        return new Named(name);
    }

    /** True for choices that force a call ({@code required} or a named function). */
    default boolean forcesCall() {
        return this instanceof Required || this instanceof Named;
    }
}
