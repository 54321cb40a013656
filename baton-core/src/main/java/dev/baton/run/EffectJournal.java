package dev.baton.run;

import dev.baton.model.Usage;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The effect executor of one run: every effect the loop has (a model call, a tool call, the
 * run's starting point, a human decision) passes through it. Without a journal a run performs
 * each effect directly; with one, each finished effect is recorded before the run moves on, and
 * an effect the journal already holds (from an earlier execution that crashed) is replayed from
 * the record instead of performed again. The same loop, journaled.
 *
 * <p>Implemented by the durable runner over a run store ({@code dev.baton.durable}); applications
 * rarely implement it. Effect keys are deterministic for a given run: {@code start}, {@code m<n>}
 * for the n-th model call, {@code t<turn>/<callId>} for a tool call. A replay asks for the same
 * keys in the same order. Methods that record must not return before the record is durable.
 */
public interface EffectJournal {

    /** What kind of effect a record is. */
    enum Kind {
        START,
        MODEL,
        TOOL
    }

    /**
     * An effect an earlier execution recorded.
     *
     * @param agent the agent it ran for
     * @param result its result as JSON text; null while it is only started
     * @param attempts how many times it was started
     */
    record Recorded(String agent, @Nullable String result, int attempts) {
        public boolean done() {
            return result != null;
        }
    }

    /** The id of the run being journaled; the run takes it as its own. */
    String runId();

    /** The record of an effect from an earlier execution of this run, or null if there is none. */
    @Nullable Recorded recorded(String key);

    /**
     * Records that an effect with side effects (a tool call) starts, before it runs, so a crash
     * in the middle leaves a trace a later execution sees.
     *
     * @param attempt 1 for the first start, 2 for a start after a crash, and so on
     */
    void started(String key, Kind kind, String agent, @Nullable String name, @Nullable String request, int attempt,
            Instant at);

    /** Records an effect's result, before the run uses it. */
    void finished(String key, Kind kind, String agent, @Nullable String name, @Nullable String request, String result,
            @Nullable Usage usage, int attempt, Instant startedAt, Instant at);

    /**
     * A human decision on a tool call that needed approval, if one was recorded. Call ids are
     * unique within a response, not always within a run: a decision belongs to its turn.
     */
    RunState.@Nullable Decision decision(int turn, String callId);

    /** Every event of the run but text deltas, in order; kept as the run's event journal. */
    void event(RunEvent event);
}
