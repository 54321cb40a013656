package dev.baton.durable;

import dev.baton.durable.internal.JournalCodec;
import java.util.Locale;

import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which runs to list: every filter that is set must match. Results come newest first.
 *
 * @param application runs of this application (desk)
 * @param statuses any of these statuses; empty for all
 * @param agent runs whose starting or current agent has this name
 * @param sessionId runs on this session
 * @param createdFrom runs created at or after this instant
 * @param createdTo runs created before this instant
 * @param text runs whose input or final output contains this text, ignoring case (see {@link #withText})
 * @param afterRun runs listed after this one: the next page, when this is the last run of a page
 *     (see {@link #afterRun(String)})
 * @param limit at most this many runs (1 or more)
 */
public record RunQuery(@Nullable String application, Set<RunStatus> statuses, @Nullable String agent, @Nullable String sessionId,
        @Nullable Instant createdFrom, @Nullable Instant createdTo, @Nullable String text, @Nullable String afterRun,
        int limit) {

    public RunQuery {
        statuses = Set.copyOf(statuses);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
    }

    /** The latest 100 runs, whatever their state. */
    public static RunQuery all() {
        return new RunQuery(null, Set.of(), null, null, null, null, null, null, 100);
    }

    public RunQuery withApplication(@Nullable String application) {
        return new RunQuery(application, statuses, agent, sessionId, createdFrom, createdTo, text, afterRun, limit);
    }

    public RunQuery withStatuses(RunStatus... statuses) {
        return new RunQuery(application, Set.of(statuses), agent, sessionId, createdFrom, createdTo, text, afterRun, limit);
    }

    public RunQuery withAgent(@Nullable String agent) {
        return new RunQuery(application, statuses, agent, sessionId, createdFrom, createdTo, text, afterRun, limit);
    }

    public RunQuery withSession(@Nullable String sessionId) {
        return new RunQuery(application, statuses, agent, sessionId, createdFrom, createdTo, text, afterRun, limit);
    }

    public RunQuery between(@Nullable Instant from, @Nullable Instant to) {
        return new RunQuery(application, statuses, agent, sessionId, from, to, text, afterRun, limit);
    }

    public RunQuery withLimit(int limit) {
        return new RunQuery(application, statuses, agent, sessionId, createdFrom, createdTo, text, afterRun, limit);
    }

    /**
     * Runs whose input items or final output contain {@code text}, ignoring case (of ASCII letters
     * at least; beyond ASCII as the database compares). Both are kept as JSON text, so the text is
     * looked for as it appears inside a JSON string: quotes, backslashes and line breaks match as
     * typed, and {@code %} and {@code _} are plain characters. Null searches no text.
     */
    public RunQuery withText(@Nullable String text) {
        return new RunQuery(application, statuses, agent, sessionId, createdFrom, createdTo, text, afterRun, limit);
    }

    /**
     * The runs listed after run {@code runId} in this query's order (newest first): give the last
     * run of a page to get the next page. Unlike a time bound, no run is skipped or listed twice
     * when several were created in the same millisecond. A run the store does not have lists none.
     * Null starts from the newest.
     */
    public RunQuery afterRun(@Nullable String runId) {
        return new RunQuery(application, statuses, agent, sessionId, createdFrom, createdTo, text, runId, limit);
    }

    /**
     * Whether {@code run} passes this query's filters (desk, statuses, agent, session, time and
     * text; not the page's position or size), as every store judges them. The text is looked for
     * as {@link #withText} says.
     */
    public boolean matches(RunRecord run) {
        return (application == null || application.equals(run.application()))
                && (statuses.isEmpty() || statuses.contains(run.status()))
                && (agent == null || agent.equals(run.startAgent()) || agent.equals(run.currentAgent()))
                && (sessionId == null || sessionId.equals(run.sessionId()))
                && (createdFrom == null || !run.createdAt().isBefore(createdFrom))
                && (createdTo == null || run.createdAt().isBefore(createdTo))
                && (text == null || containsText(run, text));
    }

    /** As the JDBC stores search: the text's JSON string form in the input items' and final output's JSON, ignoring case. */
    private static boolean containsText(RunRecord run, String text) {
        String needle = JournalCodec.inJsonString(text).toLowerCase(Locale.ROOT);
        return JournalCodec.items(run.input()).toLowerCase(Locale.ROOT).contains(needle)
                || run.finalOutput() != null && run.finalOutput().toLowerCase(Locale.ROOT).contains(needle);
    }
}
