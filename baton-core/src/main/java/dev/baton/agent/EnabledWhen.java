package dev.baton.agent;

import dev.baton.run.RunContext;

/**
 * Decides, each turn, whether a tool or handoff is offered to the model. A disabled tool or
 * handoff is not sent, and a call of it is treated as a call of an unknown function.
 */
@FunctionalInterface
public interface EnabledWhen<C> {
    boolean test(RunContext<C> context, Agent<C> agent);

    static <C> EnabledWhen<C> always() {
        return (ctx, agent) -> true;
    }

    static <C> EnabledWhen<C> never() {
        return (ctx, agent) -> false;
    }
}
