package dev.baton;

import dev.baton.item.RunItem;
import dev.baton.model.ModelResponse;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Base of the errors a run raises. When a run fails, the runner attaches what the run had
 * produced so far, so nothing is lost: {@link #items()}, {@link #lastAgent()} and
 * {@link #rawResponses()}.
 */
public abstract class BatonException extends RuntimeException {

    private volatile List<RunItem> items = List.of();
    private volatile List<ModelResponse> rawResponses = List.of();
    private volatile @Nullable String lastAgent;
    private volatile @Nullable String runId;

    protected BatonException(String message) {
        super(message);
    }

    protected BatonException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /** Items the run produced before it failed (empty if it failed before its first turn). */
    public List<RunItem> items() {
        return items;
    }

    /** Model responses received before the failure. */
    public List<ModelResponse> rawResponses() {
        return rawResponses;
    }

    /** The agent that was active when the run failed, if the run had started. */
    public @Nullable String lastAgent() {
        return lastAgent;
    }

    /** Id of the failed run, if the run had started. */
    public @Nullable String runId() {
        return runId;
    }

    /**
     * Records the state of the run that failed. Called by the runner; the first call wins so a
     * nested run's state is not overwritten by its caller's.
     */
    public void attachRunData(String runId, @Nullable String lastAgent, List<RunItem> items, List<ModelResponse> rawResponses) {
        if (this.runId != null) {
            return;
        }
        this.runId = runId;
        this.lastAgent = lastAgent;
        this.items = List.copyOf(items);
        this.rawResponses = List.copyOf(rawResponses);
    }
}
