package dev.baton;

import dev.baton.tool.ToolError;

/**
 * A tool set to {@link dev.baton.tool.ToolFailureMode#RAISE} failed, so the run stopped instead of
 * showing the error to the model. The cause is the original exception: what the body threw (for
 * an agent used as a tool, the nested run's own {@code BatonException}, with the nested run's items),
 * the {@code InvalidArgumentsException} for arguments that did not fit, or the
 * {@code TimeoutException} for a call past its timeout.
 */
public final class ToolCallFailed extends BatonException {
    private final String toolName;
    private final String callId;
    private final ToolError.Kind kind;

    public ToolCallFailed(ToolError error, String agent) {
        super("Tool '" + error.toolName() + "' (call " + error.callId() + " of agent '" + agent + "') " + describe(error),
                error.cause());
        this.toolName = error.toolName();
        this.callId = error.callId();
        this.kind = error.kind();
    }

    private static String describe(ToolError error) {
        return switch (error.kind()) {
            case INVALID_ARGUMENTS -> "got invalid arguments: " + error.message();
            case TIMED_OUT -> "timed out: " + error.message();
            case FAILED, UNKNOWN_TOOL -> "failed: " + error.message();
        };
    }

    /** The tool that failed. */
    public String toolName() {
        return toolName;
    }

    /** The model's id of the call that failed. */
    public String callId() {
        return callId;
    }

    /** How it failed: {@code FAILED}, {@code INVALID_ARGUMENTS} or {@code TIMED_OUT}. */
    public ToolError.Kind kind() {
        return kind;
    }
}
