package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.durable.RunStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The figures of the overview, computed from the store: runs over time by status, the duration of
 * completed runs (p50 and p95 overall, per desk and over time), tokens per agent (from the
 * runs' {@code ModelResponded} events, counted for the agent that made the call) and the
 * handoffs between agents per desk (from their {@code HandoffOccurred} events). Every figure is
 * over the runs created in the last {@code minutes} minutes, at most the latest {@value #MAX_RUNS},
 * so a look costs the same however large the store; figures are kept {@link #FRESH} so that many
 * browsers looking at once read the store once.
 */
final class Overview {
    /** At most this many of the latest runs are read. */
    static final int MAX_RUNS = 2000;
    static final int DEFAULT_MINUTES = 60;
    static final int MIN_MINUTES = 5;
    static final int MAX_MINUTES = 7 * 24 * 60;
    /** How long computed figures are answered again before the store is read anew. */
    static final Duration FRESH = Duration.ofSeconds(2);
    /** The runs-over-time chart has at most this many buckets, the duration-over-time chart a fifth as many. */
    private static final int TIME_BUCKETS = 60;
    private static final int DURATION_BUCKETS = 12;
    private static final int MAX_EVENTS = 1000;
    private static final int MAX_CACHED = 64;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** Everything the overview shows, for the runs of {@code desk} (all desks when null) created from {@code from} to {@code to}. */
    record Figures(@Nullable String desk, int minutes, Instant from, Instant to, int runs, boolean truncated, RunsOverTime runsOverTime,
            Durations durations, List<AgentTokens> tokens, List<Flow> flows) {}

    /** Runs created in each bucket of {@code bucketMinutes} minutes from the window's start, by status. */
    record RunsOverTime(int bucketMinutes, List<RunsBucket> buckets) {}

    record RunsBucket(Instant start, Map<RunStatus, Integer> byStatus) {
        int total() {
            return byStatus.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Nearest-rank p50 and p95 of completed runs' durations in milliseconds (null with no completed run). */
    record Durations(int completedRuns, @Nullable Long p50, @Nullable Long p95, List<DeskDurations> byDesk, int bucketMinutes,
            List<DurationBucket> overTime) {}

    record DeskDurations(String desk, int runs, long p50, long p95) {}

    record DurationBucket(Instant start, int runs, @Nullable Long p50, @Nullable Long p95) {}

    record AgentTokens(String agent, long tokens, int calls) {}

    /** The handoffs of one desk's runs: its entry agent and each (from, to) pair with how many times it happened. */
    record Flow(String desk, String entryAgent, List<Link> links) {}

    record Link(String from, String to, int count) {}

    private record Key(@Nullable String desk, int minutes) {}

    private record Cached(long at, Figures figures) {}

    private final Desks desks;
    private final RunStore store;
    private final Map<Key, Cached> cache = new ConcurrentHashMap<>();

    Overview(Desks desks, RunStore store) {
        this.desks = desks;
        this.store = store;
    }

    /** The figures of the last {@code minutes} minutes, computed at most every {@link #FRESH}. */
    Figures figures(@Nullable String desk, int minutes) {
        Key key = new Key(desk, minutes);
        long now = System.nanoTime();
        Cached cached = cache.get(key);
        if (cached != null && now - cached.at() < FRESH.toNanos()) {
            return cached.figures();
        }
        Figures figures = compute(desk, minutes, Instant.now());
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(key, new Cached(now, figures));
        return figures;
    }

    private Figures compute(@Nullable String desk, int minutes, Instant now) {
        int bucket = ceilDiv(minutes, TIME_BUCKETS);
        int durationBucket = ceilDiv(minutes, DURATION_BUCKETS);
        Instant to = now.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        Instant from = to.minus(minutes, ChronoUnit.MINUTES);
        List<RunRecord> runs = store.listRuns(RunQuery.all().withApplication(desk).between(from, null).withLimit(MAX_RUNS));

        List<RunsBucket> buckets = new ArrayList<>();
        for (int i = 0; i < ceilDiv(minutes, bucket); i++) {
            Map<RunStatus, Integer> byStatus = new EnumMap<>(RunStatus.class);
            for (RunStatus s : RunStatus.values()) {
                byStatus.put(s, 0);
            }
            buckets.add(new RunsBucket(from.plus((long) i * bucket, ChronoUnit.MINUTES), byStatus));
        }
        List<List<Long>> durationsOverTime = new ArrayList<>();
        for (int i = 0; i < ceilDiv(minutes, durationBucket); i++) {
            durationsOverTime.add(new ArrayList<>());
        }
        List<Long> durations = new ArrayList<>();
        Map<String, List<Long>> durationsByDesk = new TreeMap<>();
        Map<String, long[]> tokens = new HashMap<>();
        Map<String, Map<List<String>, Integer>> handoffs = new TreeMap<>();
        Map<String, Map<String, Integer>> startAgents = new HashMap<>();

        for (RunRecord run : runs) {
            long minute = Math.max(0, Duration.between(from, run.createdAt()).toMinutes());
            buckets.get((int) Math.min(buckets.size() - 1, minute / bucket)).byStatus().merge(run.status(), 1, Integer::sum);
            if (run.status() == RunStatus.COMPLETED) {
                long ms = Duration.between(run.createdAt(), run.updatedAt()).toMillis();
                durations.add(ms);
                durationsByDesk.computeIfAbsent(run.application(), d -> new ArrayList<>()).add(ms);
                durationsOverTime.get((int) Math.min(durationsOverTime.size() - 1, minute / durationBucket)).add(ms);
            }
            Map<List<String>, Integer> links = handoffs.computeIfAbsent(run.application(), d -> new LinkedHashMap<>());
            startAgents.computeIfAbsent(run.application(), d -> new HashMap<>()).merge(run.startAgent(), 1, Integer::sum);
            readEvents(run, tokens, links);
        }

        List<DeskDurations> byDesk = new ArrayList<>();
        durationsByDesk.forEach((d, values) -> {
            Collections.sort(values);
            byDesk.add(new DeskDurations(d, values.size(), MetricsApi.percentile(values, 50), MetricsApi.percentile(values, 95)));
        });
        List<DurationBucket> overTime = new ArrayList<>();
        for (int i = 0; i < durationsOverTime.size(); i++) {
            List<Long> values = durationsOverTime.get(i);
            Collections.sort(values);
            overTime.add(new DurationBucket(from.plus((long) i * durationBucket, ChronoUnit.MINUTES), values.size(),
                    MetricsApi.percentile(values, 50), MetricsApi.percentile(values, 95)));
        }
        Collections.sort(durations);
        Durations figures = new Durations(durations.size(), MetricsApi.percentile(durations, 50), MetricsApi.percentile(durations, 95),
                byDesk, durationBucket, overTime);

        List<AgentTokens> perAgent = new ArrayList<>();
        tokens.forEach((agent, t) -> perAgent.add(new AgentTokens(agent, t[0], (int) t[1])));
        perAgent.sort(Comparator.comparingLong(AgentTokens::tokens).reversed().thenComparing(AgentTokens::agent));

        List<Flow> flows = new ArrayList<>();
        handoffs.forEach((d, links) -> {
            List<Link> list = new ArrayList<>();
            links.forEach((pair, count) -> list.add(new Link(pair.get(0), pair.get(1), count)));
            list.sort(Comparator.comparingInt(Link::count).reversed().thenComparing(Link::from).thenComparing(Link::to));
            flows.add(new Flow(d, entryAgent(d, startAgents.get(d)), list));
        });
        return new Figures(desk, minutes, from, to, runs.size(), runs.size() == MAX_RUNS,
                new RunsOverTime(bucket, buckets), figures, perAgent, flows);
    }

    /** Adds the run's model calls' tokens to their agents and its handoffs to the desk's links. */
    private void readEvents(RunRecord run, Map<String, long[]> tokens, Map<List<String>, Integer> links) {
        long from = 0;
        while (true) {
            List<RecordedEvent> batch = store.events(run.id(), from, MAX_EVENTS);
            for (RecordedEvent e : batch) {
                if (e.type().equals("ModelResponded")) {
                    long[] t = tokens.computeIfAbsent(e.agent(), a -> new long[2]);
                    t[0] += Api.parse(e.data()).path("usage").path("totalTokens").asLong();
                    t[1]++;
                } else if (e.type().equals("HandoffOccurred")) {
                    JsonNode d = Api.parse(e.data());
                    links.merge(List.of(d.path("from").asText(e.agent()), d.path("to").asText("")), 1, Integer::sum);
                }
            }
            from += batch.size();
            if (batch.size() < MAX_EVENTS) {
                return;
            }
        }
    }

    /** The desk's entry agent when this server serves it, otherwise the agent most of its runs started with. */
    private String entryAgent(String desk, Map<String, Integer> starts) {
        return desks.find(desk).map(d -> d.entry().name()).orElseGet(() -> starts.entrySet().stream()
                .max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                .map(Map.Entry::getKey).orElse(""));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** The figures as {@code GET /api/overview} answers them. */
    static ObjectNode json(Figures f) {
        ObjectNode n = JSON.objectNode();
        n.put("desk", f.desk());
        n.put("minutes", f.minutes());
        n.putObject("window").put("from", f.from().toString()).put("to", f.to().toString()).put("runs", f.runs())
                .put("maxRuns", MAX_RUNS).put("truncated", f.truncated());
        ObjectNode overTime = n.putObject("runsOverTime").put("bucketMinutes", f.runsOverTime().bucketMinutes());
        ArrayNode buckets = overTime.putArray("buckets");
        for (RunsBucket b : f.runsOverTime().buckets()) {
            ObjectNode o = buckets.addObject().put("start", b.start().toString());
            b.byStatus().forEach((s, count) -> o.put(s.name().toLowerCase(Locale.ROOT), count));
        }
        Durations d = f.durations();
        ObjectNode durations = n.putObject("durationMs").put("completedRuns", d.completedRuns()).put("p50", d.p50()).put("p95", d.p95());
        ArrayNode byDesk = durations.putArray("byDesk");
        d.byDesk().forEach(x -> byDesk.addObject().put("desk", x.desk()).put("runs", x.runs()).put("p50", x.p50()).put("p95", x.p95()));
        ObjectNode time = durations.putObject("overTime").put("bucketMinutes", d.bucketMinutes());
        ArrayNode times = time.putArray("buckets");
        d.overTime().forEach(x -> times.addObject().put("start", x.start().toString()).put("runs", x.runs()).put("p50", x.p50())
                .put("p95", x.p95()));
        ArrayNode tokens = n.putArray("tokensByAgent");
        f.tokens().forEach(t -> tokens.addObject().put("agent", t.agent()).put("tokens", t.tokens()).put("calls", t.calls()));
        ArrayNode flows = n.putArray("handoffs");
        for (Flow flow : f.flows()) {
            ObjectNode o = flows.addObject().put("desk", flow.desk()).put("entryAgent", flow.entryAgent());
            ArrayNode links = o.putArray("links");
            flow.links().forEach(l -> links.addObject().put("from", l.from()).put("to", l.to()).put("count", l.count()));
        }
        return n;
    }
}
