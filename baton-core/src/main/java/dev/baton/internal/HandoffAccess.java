package dev.baton.internal;

import dev.baton.agent.AgentRef;
import dev.baton.handoff.Handoff;
import dev.baton.model.HandoffSpec;
import dev.baton.run.RunContext;
import org.jspecify.annotations.Nullable;

/**
 * Not API. What the runner and teams do with a {@link Handoff} that users do not: build its spec,
 * run its callback, point it at a resolved agent. {@code Handoff} installs the implementation when
 * its class initialises.
 */
public final class HandoffAccess {

    /** Implemented by {@code Handoff} only. */
    public interface Access {
        <C, I> Handoff<C, I> retarget(Handoff<C, I> handoff, AgentRef<C> target);

        HandoffSpec spec(Handoff<?, ?> handoff);

        <C, I> void runCallback(Handoff<C, I> handoff, RunContext<C> context, @Nullable I input);
    }

    private static volatile @Nullable Access access;

    private HandoffAccess() {}

    /** Called once, by {@code Handoff}'s static initialiser; later calls are refused. */
    public static synchronized void install(Access implementation) {
        access = Accessors.once(access, implementation, Handoff.class);
    }

    /** A copy of {@code handoff} leading to {@code target} (a team resolving the names of its agents). */
    public static <C, I> Handoff<C, I> retarget(Handoff<C, I> handoff, AgentRef<C> target) {
        return access().retarget(handoff, target);
    }

    /**
     * The handoff as sent to a model. Built on first use (the target's description may only be
     * known once a team has resolved it) and then reused.
     */
    public static HandoffSpec spec(Handoff<?, ?> handoff) {
        return access().spec(handoff);
    }

    /** Runs the handoff's on-handoff callbacks, if any. */
    public static <C, I> void runCallback(Handoff<C, I> handoff, RunContext<C> context, @Nullable I input) {
        access().runCallback(handoff, context, input);
    }

    private static Access access() {
        return Accessors.get(access, () -> access, Handoff.class);
    }
}
