package dev.baton.tool;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method as a tool for {@link Tool#fromMethods(Object)}. Parameters become the
 * properties of the arguments schema (snake_case names; {@link dev.baton.schema.Description} on a
 * parameter describes it); a parameter of type {@link ToolContext} receives the call's context.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ToolMethod {
    /** Tool name; defaults to the method name in snake_case. */
    String name() default "";

    /** What the tool does, for the model. */
    String description();
}
