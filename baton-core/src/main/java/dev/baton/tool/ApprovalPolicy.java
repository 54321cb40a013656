package dev.baton.tool;

import dev.baton.run.RunContext;

/**
 * Decides whether a call of a tool needs a human's approval before it runs, from the run context
 * and the arguments the model wrote (e.g. refunds above $200). See {@link Tool#requiringApproval}.
 */
@FunctionalInterface
public interface ApprovalPolicy<C> {
    boolean requiresApproval(RunContext<C> context, String arguments);

    /** Every call needs approval. */
    static <C> ApprovalPolicy<C> always() {
        return (ctx, args) -> true;
    }
}
