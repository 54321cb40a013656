package dev.baton.hook;

/**
 * {@link AgentHooks} for a whole run: they receive the events of every agent. Set them per call
 * ({@code RunOptions.withHooks}) or per runner ({@code RunConfig.builder().hooks}).
 */
public interface RunHooks<C> extends AgentHooks<C> {}
