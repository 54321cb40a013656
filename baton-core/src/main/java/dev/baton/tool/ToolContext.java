package dev.baton.tool;

import dev.baton.model.Usage;
import dev.baton.run.RunContext;
import org.jspecify.annotations.Nullable;

/**
 * What a tool sees of the run calling it: the application's context object, the run, and this
 * call's id, tool name and raw arguments.
 */
public final class ToolContext<C> {
    private final RunContext<C> run;
    private final String agent;
    private final String toolName;
    private final String callId;
    private final String arguments;
    private final dev.baton.run.@Nullable RunState resumeState;
    private final dev.baton.trace.Tracer.@Nullable ActiveSpan span;

    public ToolContext(RunContext<C> run, String agent, String toolName, String callId, String arguments) {
        this(run, agent, toolName, callId, arguments, null, null);
    }

    /**
     * A context for a call that continues a paused nested run (an agent used as a tool whose run
     * waited for approvals).
     */
    public ToolContext(RunContext<C> run, String agent, String toolName, String callId, String arguments,
            dev.baton.run.@Nullable RunState resumeState, dev.baton.trace.Tracer.@Nullable ActiveSpan span) {
        this.resumeState = resumeState;
        this.span = span;
        this.run = run;
        this.agent = agent;
        this.toolName = toolName;
        this.callId = callId;
        this.arguments = arguments;
    }

    /** The application's context object given to the run (null if none was given). */
    public @Nullable C context() {
        return run.context();
    }

    /** The run this call belongs to. */
    public RunContext<C> run() {
        return run;
    }

    /** Usage of the run so far. */
    public Usage usage() {
        return run.usage();
    }

    /** Name of the agent whose model called the tool. */
    public String agent() {
        return agent;
    }

    public String toolName() {
        return toolName;
    }

    /** The model's id for this call; the output is sent back under it. */
    public String callId() {
        return callId;
    }

    /** This call's trace span, or null when the run is not traced; tools may start child spans under it. */
    public dev.baton.trace.Tracer.@Nullable ActiveSpan span() {
        return span;
    }

    /** For an agent used as a tool: the paused nested run this call continues, or null. */
    public dev.baton.run.@Nullable RunState resumeState() {
        return resumeState;
    }

    /**
     * A key that stays the same for this call however often it runs: the run id and the call id.
     * A durable run that crashed in the middle of this call runs it once more with the same key,
     * so a tool with a side effect (a refund, an email) can pass it to its backend and have the
     * second attempt recognised as a repeat.
     */
    public String idempotencyKey() {
        return run.runId() + ":" + callId;
    }

    /** The arguments exactly as the model wrote them. */
    public String arguments() {
        return arguments;
    }
}
