package dev.baton.tool;

/**
 * Turns a failed tool call into the text the model reads as the call's output, so the model can
 * retry or explain. Set per tool or for the whole runner.
 */
@FunctionalInterface
public interface ToolErrorFormatter {

    String format(ToolError error);

    /** The default wording: names the tool and the failure, and invites a corrected call. */
    static ToolErrorFormatter defaultFormatter() {
        return error -> switch (error.kind()) {
            case INVALID_ARGUMENTS -> "Error: invalid arguments for tool '" + error.toolName() + "': "
                    + error.message() + ". Call it again with arguments that match its schema.";
            case FAILED -> "Error: tool '" + error.toolName() + "' failed: " + error.message();
            case TIMED_OUT -> "Error: tool '" + error.toolName() + "' timed out: " + error.message();
            case UNKNOWN_TOOL -> "Error: " + error.message();
        };
    }
}
