package dev.baton.durable;

/** Where a durable run stands. */
public enum RunStatus {
    /** Being executed, or left running by a process that died: resumable once its lease expires. */
    RUNNING,
    /** Waiting for human decisions on tool calls; survives restarts. */
    PAUSED,
    /** Ended with a final output. */
    COMPLETED,
    /** Ended with an error. */
    FAILED,
    /** Stopped on request. */
    CANCELLED;

    /** Whether the run has ended for good. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
