package dev.baton.durable;

import org.jspecify.annotations.Nullable;

/**
 * A person's decision on a tool call that waits for approval.
 *
 * @param approved whether the call may run
 * @param always whether the decision stands for every later call of the same tool in the run too
 * @param message for a rejection, what the model reads instead of the tool's output
 * @param by who decided (a name or account, as the application knows its reviewers), if known
 */
public record Decision(boolean approved, boolean always, @Nullable String message, @Nullable String by) {

    /** Approves this call only. */
    public static Decision approve() {
        return new Decision(true, false, null, null);
    }

    /** Rejects this call only, with a message for the model. */
    public static Decision reject(@Nullable String message) {
        return new Decision(false, false, message, null);
    }

    /** This decision, standing for the tool's later calls in the run too. */
    public Decision forLaterCalls() {
        return new Decision(approved, true, message, by);
    }

    /** This decision, made by {@code by}. */
    public Decision by(@Nullable String by) {
        return new Decision(approved, always, message, by);
    }
}
