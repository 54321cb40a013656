package dev.baton.tool;

import org.jspecify.annotations.Nullable;

/**
 * Why a tool call produced no result, for a {@link ToolErrorFormatter} to describe to the model.
 *
 * @param toolName the tool the model called
 * @param callId the call's id
 * @param kind what went wrong
 * @param message a description of the failure
 * @param cause the exception behind it, if any
 */
public record ToolError(String toolName, String callId, Kind kind, String message, @Nullable Throwable cause) {

    /** What went wrong. */
    public enum Kind {
        /** The arguments were malformed JSON or did not fit the tool's schema. */
        INVALID_ARGUMENTS,
        /** The tool threw. */
        FAILED,
        /** The tool ran past its timeout. */
        TIMED_OUT,
        /** No enabled tool of that name exists on the agent. */
        UNKNOWN_TOOL
    }
}
