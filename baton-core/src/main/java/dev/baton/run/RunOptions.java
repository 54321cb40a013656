package dev.baton.run;

import dev.baton.handoff.HandoffInputFilter;
import dev.baton.handoff.HistoryNesting;
import dev.baton.model.Model;
import dev.baton.model.ModelSettings;
import dev.baton.session.Session;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Options of one run. Start from {@link #none()}, {@link #session(String)} or
 * {@link #context(Object)} and refine with the {@code with...} methods; each returns a copy.
 *
 * <pre>{@code
 * runner.run(triage, "I was charged twice", RunOptions.session("ticket-42").withContext(customer));
 * }</pre>
 *
 * @param context the application object tools and callbacks receive
 * @param sessionId a session in the runner's {@link RunConfig#sessionStore()}
 * @param session a session in a store of its own (wins over {@code sessionId})
 * @param maxTurns turn limit, or null for the runner's default (10)
 * @param modelName model for every agent of the run, by name (overrides the agents')
 * @param model model for every agent of the run (overrides the agents' and {@code modelName})
 * @param modelSettings settings layered over each agent's
 * @param handoffInputFilter filter for handoffs that have none of their own
 * @param nestHandoffHistory whether handoffs collapse history, unless a handoff says otherwise
 * @param historyNesting wrapper text and mapper for nesting
 * @param listener receives every event as it happens, on the run's thread
 */
public record RunOptions<C>(
        @Nullable C context,
        @Nullable String sessionId,
        @Nullable Session session,
        @Nullable Integer maxTurns,
        @Nullable String modelName,
        @Nullable Model model,
        @Nullable ModelSettings modelSettings,
        @Nullable HandoffInputFilter handoffInputFilter,
        @Nullable Boolean nestHandoffHistory,
        @Nullable HistoryNesting historyNesting,
        @Nullable Consumer<RunEvent> listener) {

    public RunOptions {
        if (maxTurns != null && maxTurns < 1) {
            throw new IllegalArgumentException("maxTurns must be at least 1, got " + maxTurns);
        }
    }

    /** No options: the runner's defaults. */
    public static <C> RunOptions<C> none() {
        return new RunOptions<>(null, null, null, null, null, null, null, null, null, null, null);
    }

    /** A run on a session of the runner's store. */
    public static <C> RunOptions<C> session(String sessionId) {
        return RunOptions.<C>none().withSession(sessionId);
    }

    /** A run with this context object. */
    public static <C> RunOptions<C> context(C context) {
        return RunOptions.<C>none().withContext(context);
    }

    public <D> RunOptions<D> withContext(@Nullable D value) {
        return new RunOptions<>(value, sessionId, session, maxTurns, modelName, model, modelSettings,
                handoffInputFilter, nestHandoffHistory, historyNesting, listener);
    }

    /** @throws dev.baton.UserError for a null or blank id: a run must not silently forget its conversation */
    public RunOptions<C> withSession(String value) {
        if (value == null || value.isBlank()) {
            throw new dev.baton.UserError("A session id must not be " + (value == null ? "null" : "blank"));
        }
        return new RunOptions<>(context, value, null, maxTurns, modelName, model, modelSettings,
                handoffInputFilter, nestHandoffHistory, historyNesting, listener);
    }

    public RunOptions<C> withSession(Session value) {
        java.util.Objects.requireNonNull(value, "session");
        return new RunOptions<>(context, null, value, maxTurns, modelName, model, modelSettings,
                handoffInputFilter, nestHandoffHistory, historyNesting, listener);
    }

    public RunOptions<C> withMaxTurns(int value) {
        return new RunOptions<>(context, sessionId, session, value, modelName, model, modelSettings,
                handoffInputFilter, nestHandoffHistory, historyNesting, listener);
    }

    public RunOptions<C> withModel(String value) {
        return new RunOptions<>(context, sessionId, session, maxTurns, value, null, modelSettings,
                handoffInputFilter, nestHandoffHistory, historyNesting, listener);
    }

    public RunOptions<C> withModel(Model value) {
        return new RunOptions<>(context, sessionId, session, maxTurns, null, value, modelSettings,
                handoffInputFilter, nestHandoffHistory, historyNesting, listener);
    }

    public RunOptions<C> withModelSettings(ModelSettings value) {
        return new RunOptions<>(context, sessionId, session, maxTurns, modelName, model, value,
                handoffInputFilter, nestHandoffHistory, historyNesting, listener);
    }

    public RunOptions<C> withHandoffInputFilter(HandoffInputFilter value) {
        return new RunOptions<>(context, sessionId, session, maxTurns, modelName, model, modelSettings,
                value, nestHandoffHistory, historyNesting, listener);
    }

    public RunOptions<C> withNestedHandoffHistory(boolean value) {
        return new RunOptions<>(context, sessionId, session, maxTurns, modelName, model, modelSettings,
                handoffInputFilter, value, historyNesting, listener);
    }

    public RunOptions<C> withHistoryNesting(HistoryNesting value) {
        return new RunOptions<>(context, sessionId, session, maxTurns, modelName, model, modelSettings,
                handoffInputFilter, true, value, listener);
    }

    public RunOptions<C> withListener(Consumer<RunEvent> value) {
        return new RunOptions<>(context, sessionId, session, maxTurns, modelName, model, modelSettings,
                handoffInputFilter, nestHandoffHistory, historyNesting, value);
    }
}
