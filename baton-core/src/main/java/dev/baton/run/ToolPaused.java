package dev.baton.run;

/**
 * Thrown by an agent used as a tool when its nested run paused for approvals; the calling run
 * pauses too, carrying the nested state, and resumes the nested run when it resumes.
 */
final class ToolPaused extends RuntimeException {
    final RunState state;

    ToolPaused(RunState state) {
        super(null, null, false, false);
        this.state = state;
    }
}
