package dev.baton.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.durable.Effect;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.durable.RunStore;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A cheap look at how the server is doing: the latest runs by status, the pending approvals, and
 * the model latency of the recorded model calls of the latest runs. Every figure is over a bounded
 * window of recent runs, so the answer costs the same however many runs the store holds.
 */
final class MetricsApi {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** How many of the latest runs are counted by status. */
    static final int RUN_WINDOW = 1000;
    /** How many of the latest runs the model latency is read from. */
    static final int LATENCY_WINDOW = 50;
    private static final int MAX_APPROVALS = 1000;

    private final RunStore store;

    MetricsApi(RunStore store) {
        this.store = store;
    }

    void routes(HttpRouting.Builder r) {
        Api.route(r, "/api/metrics", Method.GET, this::metrics);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        List<RunRecord> runs = store.listRuns(RunQuery.all().withLimit(RUN_WINDOW));
        Map<RunStatus, Integer> byStatus = new EnumMap<>(RunStatus.class);
        for (RunStatus s : RunStatus.values()) {
            byStatus.put(s, 0);
        }
        runs.forEach(r -> byStatus.merge(r.status(), 1, Integer::sum));

        ObjectNode body = JSON.objectNode();
        ObjectNode window = body.putObject("window");
        window.put("runs", runs.size());
        window.put("maxRuns", RUN_WINDOW);
        window.put("latencyRuns", Math.min(runs.size(), LATENCY_WINDOW));
        ObjectNode statuses = body.putObject("runs");
        byStatus.forEach((s, n) -> statuses.put(s.name().toLowerCase(Locale.ROOT), n));
        body.put("inFlight", byStatus.get(RunStatus.RUNNING));
        body.put("pendingApprovals", store.pendingApprovals(MAX_APPROVALS).size());

        List<Long> latencies = new ArrayList<>();
        for (RunRecord run : runs.subList(0, Math.min(runs.size(), LATENCY_WINDOW))) {
            for (Effect e : store.effects(run.id())) {
                if (e.kind() == Effect.Kind.MODEL && e.status() == Effect.Status.DONE && e.finishedAt() != null) {
                    latencies.add(Duration.between(e.startedAt(), e.finishedAt()).toMillis());
                }
            }
        }
        latencies.sort(null);
        ObjectNode latency = body.putObject("modelLatencyMs");
        latency.put("calls", latencies.size());
        latency.put("p50", percentile(latencies, 50));
        latency.put("p95", percentile(latencies, 95));
        Api.send(res, Status.OK_200, body);
    }

    /** The nearest-rank percentile of sorted values, or null when there are none. */
    static @Nullable Long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
