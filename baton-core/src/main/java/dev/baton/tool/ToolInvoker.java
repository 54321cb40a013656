package dev.baton.tool;

/**
 * The body of a tool that takes its arguments as raw JSON text. Throw
 * {@link dev.baton.schema.InvalidArgumentsException} for arguments it cannot use.
 */
@FunctionalInterface
public interface ToolInvoker<C> {
    Object invoke(ToolContext<C> context, String argumentsJson) throws Exception;
}
