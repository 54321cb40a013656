package dev.baton.durable;

import dev.baton.JournalMismatch;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What this process knows of the runs its worker executed: those executing now, why the latest
 * execution of a run stopped short, runs whose journal does not match the agents here, and results
 * a store failure kept out of a journal. The worker's client reads it to tell its handles whether a
 * run is live here, and hands it the client's own calls (a run submitted, decided or cancelled).
 */
final class LocalRuns implements DurableClient.Local {
    /** Runs executing here, entered before they are recorded or claimed so no other caller here takes them too. */
    final Map<String, Execution> executing = new ConcurrentHashMap<>();
    /** Runs whose journal was written by a different agent graph: left in the store as they are. */
    final Map<String, JournalMismatch> incompatible = new ConcurrentHashMap<>();
    /** Why this process's latest execution of a run stopped short (the store failed), until it runs here again. */
    final Map<String, RuntimeException> stopped = new ConcurrentHashMap<>();
    /** Results that runs stopped here by a store failure could not record, written before those runs are taken again. */
    final Map<String, StoreJournal.Unrecorded> unrecorded = new ConcurrentHashMap<>();

    private final Consumer<RunRecord> submitted;
    private final Consumer<String> decided;

    /** With what the worker does when its client records a run ({@code submitted}) or a decision ({@code decided}). */
    LocalRuns(Consumer<RunRecord> submitted, Consumer<String> decided) {
        this.submitted = submitted;
        this.decided = decided;
    }

    @Override
    public @Nullable Execution executing(String runId) {
        return executing.get(runId);
    }

    @Override
    public @Nullable RuntimeException stopped(String runId) {
        return stopped.get(runId);
    }

    @Override
    public @Nullable JournalMismatch incompatible(String runId) {
        return incompatible.get(runId);
    }

    @Override
    public void submitted(RunRecord run) {
        submitted.accept(run);
    }

    @Override
    public void decided(String runId) {
        decided.accept(runId);
    }

    @Override
    public void cancelled(String runId) {
        Execution ex = executing.get(runId);
        if (ex != null) {
            ex.cancelRequested = true;
            ex.interrupt();
        }
    }
}
