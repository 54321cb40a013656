package dev.baton.handoff;

/**
 * Something an agent can hand off to: an {@link dev.baton.agent.Agent} (with default settings) or
 * a configured {@link Handoff}. Lets {@code handoffs(billing, Handoff.to(escalation).inputType(...))}
 * mix both.
 */
public interface HandoffTarget<C> {
    Handoff<C, ?> toHandoff();
}
