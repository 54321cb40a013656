package dev.baton.server;

import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStore;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The runs a search box finds: those whose id or session id is the text, and those whose input or
 * final output contains it ({@link RunQuery#withText}), each also matching the other filters of
 * the query; newest first, at most the query's limit. The runs list of the UI and
 * {@code GET /api/runs?q=} both search this way.
 */
final class RunSearch {
    private static final Comparator<RunRecord> NEWEST_FIRST =
            Comparator.comparing(RunRecord::createdAt).thenComparing(RunRecord::id).reversed();

    private RunSearch() {}

    /** The runs of {@code query} that {@code text} finds; with no text, the query's runs. */
    static List<RunRecord> find(RunStore store, RunQuery query, @Nullable String text) {
        if (text == null || text.isBlank()) {
            return store.listRuns(query);
        }
        String q = text.strip();
        Map<String, RunRecord> found = new LinkedHashMap<>();
        if (query.afterRun() == null) { // the run with this id is on the first page
            store.findRun(q).filter(run -> query.withText(null).matches(run)).ifPresent(run -> found.put(run.id(), run));
        }
        if (query.sessionId() == null) {
            store.listRuns(query.withSession(q)).forEach(run -> found.putIfAbsent(run.id(), run));
        }
        store.listRuns(query.withText(q)).forEach(run -> found.putIfAbsent(run.id(), run));
        return found.values().stream().sorted(NEWEST_FIRST).limit(query.limit()).toList();
    }
}
