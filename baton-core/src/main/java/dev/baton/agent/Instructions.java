package dev.baton.agent;

import dev.baton.run.RunContext;

/** Instructions computed for each model call from the run context and the agent. */
@FunctionalInterface
public interface Instructions<C> {
    String render(RunContext<C> context, Agent<C> agent);
}
