package dev.baton;

import org.jspecify.annotations.Nullable;

/**
 * The model answered in a way the run cannot continue from: invalid handoff input, a call of an
 * unknown tool (when configured to fail on it), output that breaks the required schema.
 * {@link #rawOutput()} holds what the model said, where that helps.
 */
public final class ModelBehaviorError extends BatonException {
    private final @Nullable String rawOutput;

    public ModelBehaviorError(String message) {
        this(message, null, null);
    }

    public ModelBehaviorError(String message, @Nullable String rawOutput, @Nullable Throwable cause) {
        super(message, cause);
        this.rawOutput = rawOutput;
    }

    /** The model's raw text or arguments that could not be used, if any. */
    public @Nullable String rawOutput() {
        return rawOutput;
    }
}
