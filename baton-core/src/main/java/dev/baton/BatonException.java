package dev.baton;

import dev.baton.internal.RunFailures;
import dev.baton.item.RunItem;
import dev.baton.model.ModelResponse;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Base of the errors a run raises; the set is closed, so a {@code switch} over a failure can be
 * exhaustive. When a run fails, the runner attaches what the run had produced so far, so nothing
 * is lost: {@link #runData()}, or {@link #items()}, {@link #lastAgent()} and
 * {@link #rawResponses()}. The run data is set once, by the run that failed, and never changes.
 */
public abstract sealed class BatonException extends RuntimeException
        permits CallbackFailed, GuardrailTripwireTriggered, JournalMismatch, MaxTurnsExceeded, ModelBehaviorError,
                ModelCallFailed, ModelRefusalError, NobodyAnswered, RunCancelled, RunStoreFailed, SessionBusy,
                SessionLeaseLost, SessionStoreFailed, ToolCallFailed, ToolProviderFailed, UserError {

    /**
     * What a failed run had produced: its id, the agent active when it failed, the items so far
     * and the model responses received.
     */
    public record RunData(String runId, @Nullable String lastAgent, List<RunItem> items, List<ModelResponse> rawResponses) {
        public RunData {
            items = List.copyOf(items);
            rawResponses = List.copyOf(rawResponses);
        }
    }

    static {
        RunFailures.install(BatonException::attach);
    }

    private volatile @Nullable RunData runData;

    protected BatonException(String message) {
        super(message);
    }

    protected BatonException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /** What the run had produced when it failed; null if the error was raised outside a run. */
    public @Nullable RunData runData() {
        return runData;
    }

    /** Items the run produced before it failed (empty if it failed before its first turn). */
    public List<RunItem> items() {
        RunData d = runData;
        return d == null ? List.of() : d.items();
    }

    /** Model responses received before the failure. */
    public List<ModelResponse> rawResponses() {
        RunData d = runData;
        return d == null ? List.of() : d.rawResponses();
    }

    /** The agent that was active when the run failed, if the run had started. */
    public @Nullable String lastAgent() {
        RunData d = runData;
        return d == null ? null : d.lastAgent();
    }

    /** Id of the failed run, if the run had started. */
    public @Nullable String runId() {
        RunData d = runData;
        return d == null ? null : d.runId();
    }

    /** The first run to fail with this error wins, so a nested run's data is not overwritten by its caller's. */
    private static synchronized void attach(BatonException e, RunData data) {
        if (e.runData == null) {
            e.runData = data;
        }
    }
}
