package dev.baton.handoff;

import dev.baton.run.RunContext;

/** Called when a handoff takes place, with the input the model wrote for it. */
@FunctionalInterface
public interface OnHandoff<C, I> {
    void accept(RunContext<C> context, I input);

    /** Called when a handoff takes place. */
    @FunctionalInterface
    interface Simple<C> {
        void accept(RunContext<C> context);
    }
}
