package dev.baton.agent;

import dev.baton.run.RunContext;

/**
 * Decides, each turn, whether a tool or handoff is offered to the model. A disabled tool or
 * handoff is not sent, and a call of it is treated as a call of an unknown function.
 */
@FunctionalInterface
public interface EnabledWhen<C> {
    boolean test(RunContext<C> context, Agent<C> agent);

    /** Always offered. A shared instance, so runs can tell static choices from per-turn checks. */
    @SuppressWarnings("unchecked")
    static <C> EnabledWhen<C> always() {
        return (EnabledWhen<C>) Fixed.ALWAYS;
    }

    /** Never offered. A shared instance, like {@link #always()}. */
    @SuppressWarnings("unchecked")
    static <C> EnabledWhen<C> never() {
        return (EnabledWhen<C>) Fixed.NEVER;
    }

    /** True for {@link #always()} and {@link #never()}, whose answer needs no run to compute. */
    default boolean isFixed() {
        return this == Fixed.ALWAYS || this == Fixed.NEVER;
    }
}
