package dev.baton.tool;

/**
 * The body of a typed tool: receives the call's context and the arguments bound to {@code A}.
 * It may throw; the runner turns the failure into an error output the model reads.
 */
@FunctionalInterface
public interface ToolFunction<C, A> {
    Object apply(ToolContext<C> context, A arguments) throws Exception;
}
