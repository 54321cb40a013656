package dev.baton.tool;

/**
 * What a failed tool call does to the run: the model reads the error and the run goes on (the
 * default), or the run fails. Applies to every way a call can fail once the tool is found: its
 * body threw, its arguments did not fit the schema, or it ran past its timeout.
 */
public enum ToolFailureMode {
    /** The model reads the failure as the call's output (worded by the {@link ToolErrorFormatter}) and can correct the call. */
    REPORT_TO_MODEL,
    /**
     * The run fails with {@link dev.baton.ToolCallFailed}, which names the tool and the call and has
     * the original exception as its cause. For a tool whose failure the model cannot sensibly
     * handle, such as a payment that must not be retried with other arguments.
     */
    RAISE
}
