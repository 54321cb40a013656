package dev.baton.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.agent.Agent;
import dev.baton.durable.DurableClient;
import dev.baton.durable.Effect;
import dev.baton.durable.ForwardingRunStore;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStore;
import dev.baton.jdbc.SqliteRunStore;
import dev.baton.jdbc.SqliteSessionStore;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.server.BatonServer;
import dev.baton.trace.TraceProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The {@code server} scenario: what Baton's HTTP server ({@link BatonServer}, as {@code baton serve}
 * runs it: runs and sessions in one SQLite file) adds to each turn of a conversation, and how soon a
 * thousand watchers of live runs get each event. The desk is the support flow of {@link SupportFlow}
 * (desk {@code support}, entry agent {@code support_triage}), its model the scripted one with a fixed
 * latency; the server listens on 127.0.0.1 and the clients are in the same JVM.
 *
 * <p><b>Conversations.</b> {@code c} conversations in flight ({@code c} virtual threads, each taking
 * the next conversation when its last one ends), each {@code t} turns on a session of its own; a
 * turn is one user message and ends when its answer is there. Each turn is taken four ways:
 * <ul>
 *   <li>{@code runner}: {@link Runner#run} on the server's runner with the session, in process, not journaled;</li>
 *   <li>{@code durable}: {@link DurableClient#startRun} then {@code result()} on the server's own worker,
 *       in process, journaled in the same file: the server's path without HTTP;</li>
 *   <li>{@code api}: {@code POST /api/desks/support/runs} with the session, then
 *       {@code GET /api/runs/{id}/stream} until its {@code end} event (the API has no blocking start);</li>
 *   <li>{@code v1}: {@code POST /v1/chat/completions}, not streamed, with the conversation so far and the
 *       session as {@code user}.</li>
 * </ul>
 * The HTTP client is {@link HttpClient} (HTTP/1.1, keep-alive). The four are measured in two rounds,
 * in the order runner, durable, api, v1 and then back, so a change in the shared machine's load
 * touches them alike; a warm-up of every way at no model latency comes first. Reported per way: the
 * p50 / p99 / max of a turn's wall time, turns per second, CPU per turn, model calls per turn (the
 * same for all four, or the comparison is off); and the latency the server adds: its percentile
 * minus the in-process one's, against the runner (the figure) and against the durable worker
 * (HTTP and the server's handlers alone).
 *
 * <p><b>Watchers.</b> {@code w} SSE streams of live runs, {@code k} per run ({@code w / k} runs,
 * no session): the runs are started, then every watcher opens {@code GET /api/runs/{id}/stream} on a
 * socket of its own ({@link SseConnection}); the model holds every run's first answer until all
 * watchers are connected, then answers after a random time in [L/2, 3L/2], so events trickle in
 * rather than arrive at once. A watcher notes when each event's {@code data} line arrives. The delay
 * is measured from two points: from the event's write ({@link StampingStore}: when the store call
 * that wrote it returned, committed), which is what the server's streaming adds; and from the
 * event's {@code at}, when the run emitted it, which adds the time the journal held it before
 * writing it (events are written with the run's next effect). Each counts the events that happened
 * (were written, or emitted) after the watcher was connected; those replayed on connecting are left
 * out. Every stream must give the run's events gapless from 0, then {@code end} with the run
 * completed.
 */
final class Server {
    static final String DESK = "support";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The ways a turn is taken: two in process, two over HTTP. */
    enum Way {
        RUNNER, DURABLE, API, V1;

        String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The sizes of one measurement.
     *
     * @param conversations conversations per way
     * @param concurrency conversations in flight
     * @param turns turns per conversation
     * @param latencyMs the model's time per answer in the conversations
     * @param warmup conversations per way at no model latency before the measured ones
     * @param watchers SSE watchers
     * @param watchersPerRun watchers of each live run
     * @param watchLatencyMs the model's mean time per answer in the watched runs
     */
    record Settings(int conversations, int concurrency, int turns, long latencyMs, int warmup,
            int watchers, int watchersPerRun, long watchLatencyMs) {}

    private final RunOptions<Void> options;
    private final List<TraceProcessor> traceProcessors;
    private final AtomicReference<String> firstError;
    private final Agent<Void> triage = SupportFlow.triage();
    private final AtomicLong sessionIds = new AtomicLong();

    Server(RunOptions<Void> options, List<TraceProcessor> traceProcessors, AtomicReference<String> firstError) {
        this.options = options;
        this.traceProcessors = List.copyOf(traceProcessors);
        this.firstError = firstError;
    }

    /** Both measurements: the conversations' JSON object, then the watchers'. */
    List<Map<String, Object>> measure(Settings s, Map<String, Object> turnsHeader, Map<String, Object> watchHeader) throws Exception {
        Path dir = Files.createTempDirectory("baton-bench-server-");
        try {
            Map<String, Object> turns = conversations(dir.resolve("conversations.db"), s, turnsHeader);
            Map<String, Object> watch = watchers(dir.resolve("watchers.db"), s, watchHeader);
            return List.of(turns, watch);
        } finally {
            deleteTree(dir);
        }
    }

    // ---- conversations

    /** The support flow's scripted model, waiting {@code latencyMs} before each answer, counting its calls. */
    static final class TimedScript implements Model {
        private final SupportFlow.ScriptModel script = new SupportFlow.ScriptModel(0);
        volatile long latencyMs;
        final AtomicLong calls = new AtomicLong();

        @Override
        public ModelResponse respond(ModelRequest request) {
            calls.incrementAndGet();
            sleep(latencyMs);
            return script.respond(request);
        }
    }

    /** A server over a fresh SQLite file, its runner answering with {@code model}; closes the stores with it. */
    private record Served(BatonServer server, Runner runner, SqliteRunStore runs, SqliteSessionStore sessions) implements AutoCloseable {
        @Override
        public void close() {
            try {
                server.close();
            } finally {
                try {
                    runs.close();
                } finally {
                    sessions.close();
                }
            }
        }
    }

    /** With {@code stamping}, the server's store is a {@link StampingStore} over the SQLite one. */
    private Served serve(Path file, Model model, boolean stamping) {
        SqliteSessionStore sessions = SqliteSessionStore.open(file);
        SqliteRunStore runs = SqliteRunStore.open(file);
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions)
                .traceProcessors(traceProcessors).build());
        BatonServer server = BatonServer.builder()
                .desk(DESK, triage)
                .runner(runner)
                .store(stamping ? new StampingStore(runs) : runs)
                .runOptions(r -> options)
                .port(0)
                .build()
                .start();
        return new Served(server, runner, runs, sessions);
    }

    /** One measured way: its turns' wall times, and its totals. */
    private static final class Samples {
        final long[] ns;
        int filled;
        double seconds;
        double cpuSeconds;
        long modelCalls;
        long failures;

        Samples(int size) {
            ns = new long[size];
        }
    }

    private Map<String, Object> conversations(Path file, Settings s, Map<String, Object> out) throws Exception {
        TimedScript model = new TimedScript();
        try (Served served = serve(file, model, false);
                ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor).build()) {
            Turns turns = new Turns(served, http);
            model.latencyMs = 0;
            for (Way way : Way.values()) {
                pass(turns, way, s.warmup(), s.concurrency(), s.turns(), new Samples(s.warmup() * s.turns()), model);
            }
            model.latencyMs = s.latencyMs();
            Map<Way, Samples> samples = new LinkedHashMap<>();
            for (Way way : Way.values()) {
                samples.put(way, new Samples(s.conversations() * s.turns()));
            }
            int first = (s.conversations() + 1) / 2;
            List<Way> order = List.of(Way.values());
            for (int round = 0; round < 2; round++) {
                int n = round == 0 ? first : s.conversations() - first;
                List<Way> ways = round == 0 ? order : order.reversed();
                for (Way way : ways) {
                    pass(turns, way, n, s.concurrency(), s.turns(), samples.get(way), model);
                }
            }

            out.put("store", "sqlite");
            out.put("conversations", s.conversations());
            out.put("turns_per_conversation", s.turns());
            out.put("latency_ms", s.latencyMs());
            out.put("warmup", s.warmup());
            long failures = 0;
            Map<Way, long[]> sorted = new LinkedHashMap<>();
            for (Map.Entry<Way, Samples> e : samples.entrySet()) {
                Samples p = e.getValue();
                long[] ns = Arrays.copyOf(p.ns, p.filled);
                Arrays.sort(ns);
                sorted.put(e.getKey(), ns);
                String k = e.getKey().key();
                out.put(k + "_ms_p50", Steady.percentileMs(ns, 0.50));
                out.put(k + "_ms_p99", Steady.percentileMs(ns, 0.99));
                out.put(k + "_ms_max", ns[ns.length - 1] / 1e6);
                out.put(k + "_turns_per_s", p.filled / p.seconds);
                out.put(k + "_cpu_us_per_turn", p.cpuSeconds * 1e6 / p.filled);
                out.put(k + "_model_calls_per_turn", p.modelCalls / (double) p.filled);
                failures += p.failures;
            }
            for (Way server : List.of(Way.API, Way.V1)) {
                for (Way base : List.of(Way.RUNNER, Way.DURABLE)) {
                    String k = server.key() + (base == Way.RUNNER ? "_added_ms_" : "_added_vs_durable_ms_");
                    out.put(k + "p50", Steady.percentileMs(sorted.get(server), 0.50) - Steady.percentileMs(sorted.get(base), 0.50));
                    out.put(k + "p99", Steady.percentileMs(sorted.get(server), 0.99) - Steady.percentileMs(sorted.get(base), 0.99));
                }
            }
            out.put("failures", failures);
            return out;
        }
    }

    /**
     * {@code n} conversations of {@code t} turns taken the given way, {@code c} in flight; each
     * turn's wall time goes into {@code into}.
     */
    private void pass(Turns turns, Way way, int n, int c, int t, Samples into, TimedScript model) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger slot = new AtomicInteger(into.filled);
        AtomicLong failures = new AtomicLong();
        long calls = model.calls.get();
        double cpu = Durable.processCpuSeconds();
        long start = System.nanoTime();
        Runnable worker = () -> {
            while (next.getAndIncrement() < n) {
                String session = "bench-" + way.key() + "-" + sessionIds.incrementAndGet();
                ArrayNode messages = JSON.createArrayNode();
                for (int i = 0; i < t; i++) {
                    long t0 = System.nanoTime();
                    String problem;
                    try {
                        problem = turns.take(way, session, messages);
                    } catch (RuntimeException | IOException e) {
                        problem = e + (e.getCause() != null ? " caused by " + e.getCause() : "");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    long ns = System.nanoTime() - t0;
                    if (problem != null) {
                        failures.incrementAndGet();
                        firstError.compareAndSet(null, way.key() + ": " + problem);
                        break; // the rest of this conversation would not be the flow measured
                    }
                    into.ns[slot.getAndIncrement()] = ns;
                }
            }
        };
        List<Thread> threads = new ArrayList<>(c);
        for (int i = 0; i < c; i++) {
            threads.add(Thread.ofVirtual().start(worker));
        }
        for (Thread th : threads) {
            th.join();
        }
        into.seconds += (System.nanoTime() - start) / 1e9;
        into.cpuSeconds += Durable.processCpuSeconds() - cpu;
        into.modelCalls += model.calls.get() - calls;
        into.filled = slot.get();
        into.failures += failures.get();
    }

    /** One turn of a conversation, each way; answers {@code null} when it went as expected, else what went wrong. */
    private final class Turns {
        private final Served served;
        private final HttpClient http;
        private final URI base;

        Turns(Served served, HttpClient http) {
            this.served = served;
            this.http = http;
            this.base = served.server().url();
        }

        String take(Way way, String session, ArrayNode messages) throws IOException, InterruptedException {
            return switch (way) {
                case RUNNER -> {
                    RunResult r = served.runner().run(triage, SupportFlow.INPUT, options.withSession(session));
                    yield SupportFlow.check(r) ? null : "lastAgent=" + r.lastAgent() + " output=" + r.finalOutputText();
                }
                case DURABLE -> {
                    RunRecord r = served.server().worker().client().startRun(DESK, triage.name(), SupportFlow.INPUT, session).result();
                    yield Durable.completedAsExpected(r) ? null
                            : "run " + r.id() + " ended " + r.status() + " with agent " + r.currentAgent() + ", output " + r.finalOutput();
                }
                case API -> api(session);
                case V1 -> v1(session, messages);
            };
        }

        private String api(String session) throws IOException, InterruptedException {
            ObjectNode body = JSON.createObjectNode().put("input", SupportFlow.INPUT).put("session", session);
            HttpResponse<byte[]> started = http.send(post("api/desks/" + DESK + "/runs", body), HttpResponse.BodyHandlers.ofByteArray());
            if (started.statusCode() != 201) {
                return "POST runs answered " + started.statusCode() + ": " + new String(started.body(), java.nio.charset.StandardCharsets.UTF_8);
            }
            String id = JSON.readTree(started.body()).path("id").asText();
            HttpResponse<Stream<String>> stream = http.send(
                    HttpRequest.newBuilder(base.resolve("api/runs/" + id + "/stream")).header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            if (stream.statusCode() != 200) {
                stream.body().close();
                return "GET stream answered " + stream.statusCode();
            }
            String end = null;
            try (Stream<String> lines = stream.body()) {
                boolean atEnd = false;
                for (String line : (Iterable<String>) lines::iterator) {
                    if (line.equals("event: end")) {
                        atEnd = true;
                    } else if (atEnd && line.startsWith("data: ") && end == null) {
                        end = line.substring(6);
                    }
                }
            }
            if (end == null) {
                return "the stream of run " + id + " ended without its end event";
            }
            JsonNode run = JSON.readTree(end);
            boolean ok = "completed".equals(run.path("status").asText())
                    && "billing_specialist".equals(run.path("currentAgent").asText())
                    && SupportFlow.ANSWER.equals(run.path("output").asText());
            return ok ? null : "run ended as " + end;
        }

        private String v1(String session, ArrayNode messages) throws IOException, InterruptedException {
            messages.addObject().put("role", "user").put("content", SupportFlow.INPUT);
            ObjectNode body = JSON.createObjectNode().put("model", DESK).put("user", session);
            body.set("messages", messages);
            HttpResponse<byte[]> answer = http.send(post("v1/chat/completions", body), HttpResponse.BodyHandlers.ofByteArray());
            String text = new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8);
            if (answer.statusCode() != 200) {
                return "POST /v1/chat/completions answered " + answer.statusCode() + ": " + text;
            }
            JsonNode completion = JSON.readTree(answer.body());
            String content = completion.path("choices").path(0).path("message").path("content").asText();
            if (!SupportFlow.ANSWER.equals(content) || !"completed".equals(completion.path("baton").path("status").asText())) {
                return "completion " + text;
            }
            messages.addObject().put("role", "assistant").put("content", content);
            return null;
        }

        private HttpRequest post(String path, JsonNode body) throws IOException {
            return HttpRequest.newBuilder(base.resolve(path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                    .build();
        }
    }

    // ---- watchers

    /**
     * The support flow's scripted model for watched runs: every answer waits for the gate (closed
     * until the watchers are connected), then for a random time in [L/2, 3L/2].
     */
    static final class LiveModel implements Model {
        private final SupportFlow.ScriptModel script = new SupportFlow.ScriptModel(0);
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile long latencyMs;

        @Override
        public ModelResponse respond(ModelRequest request) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            long l = latencyMs;
            sleep(l <= 0 ? 0 : l / 2 + ThreadLocalRandom.current().nextLong(l + 1));
            return script.respond(request);
        }
    }

    /**
     * The run store of the watched server: the SQLite store, noting when each event's write
     * returned (committed, and its readers woken), by run id and sequence number. An event's
     * {@code at} is when the run emitted it; the journal buffers events and writes them with the run's
     * next effect (a model call's, once the model has answered), so the write can come much later.
     */
    static final class StampingStore extends ForwardingRunStore {
        final Map<String, Long> writtenUs = new ConcurrentHashMap<>();

        StampingStore(RunStore delegate) {
            super(delegate);
        }

        private void stamp(List<RecordedEvent> events) {
            long now = nowMicros();
            for (RecordedEvent e : events) {
                writtenUs.put(e.runId() + "/" + e.seq(), now);
            }
        }

        @Override
        public void appendEvents(List<RecordedEvent> events) {
            delegate.appendEvents(events);
            stamp(events);
        }

        @Override
        public void record(List<RecordedEvent> events, Effect effect) {
            delegate.record(events, effect);
            stamp(events);
        }

        @Override
        public void record(List<RecordedEvent> events, Effect effect, String currentAgent, String owner) {
            delegate.record(events, effect, currentAgent, owner); // the delegate's one write, as the server would make it
            stamp(events);
        }

        @Override
        public boolean finishRun(List<RecordedEvent> events, RunRecord run) {
            boolean written = delegate.finishRun(events, run);
            stamp(events);
            return written;
        }
    }

    /**
     * What one watcher saw: when it was connected, and for each event it received (up to {@code n}),
     * its sequence number, its {@code at} and when its line arrived, all in epoch microseconds.
     */
    private record Watched(String runId, long connectedUs, long[] seq, long[] atUs, long[] receivedUs, int n, String problem) {
        static Watched failed(String runId, String problem) {
            return new Watched(runId, 0, new long[0], new long[0], new long[0], 0, problem);
        }
    }

    /** What one watching pass saw, all watchers together. */
    private record WatchPass(long[] writeDelaysUs, long[] atDelaysUs, long liveAfterWrite, long liveAfterAt, long received,
            long unstamped, long failures, double connectSeconds, double seconds, double cpuSeconds) {}

    private Map<String, Object> watchers(Path file, Settings s, Map<String, Object> out) throws Exception {
        LiveModel model = new LiveModel();
        int runs = (s.watchers() + s.watchersPerRun() - 1) / s.watchersPerRun();
        try (Served served = serve(file, model, true)) {
            StampingStore store = (StampingStore) served.server().worker().client().store();
            // Warm-up: the same pass, smaller and quicker, so the measured one does not time the JIT.
            int warmRuns = Math.max(1, Math.min(runs, 100));
            watch(served, store, model, warmRuns, s.watchersPerRun(), Math.min(20, s.watchLatencyMs()));
            store.writtenUs.clear();
            WatchPass p = watch(served, store, model, runs, s.watchersPerRun(), s.watchLatencyMs());
            long[] d = p.writeDelaysUs();
            long[] a = p.atDelaysUs();
            Arrays.sort(d);
            Arrays.sort(a);
            out.put("store", "sqlite");
            out.put("watchers", runs * s.watchersPerRun());
            out.put("live_runs", runs);
            out.put("watchers_per_run", s.watchersPerRun());
            out.put("latency_ms", s.watchLatencyMs());
            out.put("connect_s", p.connectSeconds());
            out.put("seconds", p.seconds());
            out.put("events_received", p.received());
            out.put("live_events", p.liveAfterWrite());
            out.put("live_events_per_s", p.liveAfterWrite() / p.seconds());
            out.put("cpu_cores_busy", p.cpuSeconds() / p.seconds());
            out.put("cpu_us_per_event", p.cpuSeconds() * 1e6 / Math.max(1, p.received()));
            out.put("delay_ms_p50", percentileMsOfUs(d, 0.50));
            out.put("delay_ms_p99", percentileMsOfUs(d, 0.99));
            out.put("delay_ms_max", d.length == 0 ? Double.NaN : d[d.length - 1] / 1e3);
            out.put("delay_ms_mean", Arrays.stream(d).average().orElse(Double.NaN) / 1e3);
            out.put("p99_under_50ms", percentileMsOfUs(d, 0.99) < 50);
            out.put("at_live_events", p.liveAfterAt());
            out.put("at_delay_ms_p50", percentileMsOfUs(a, 0.50));
            out.put("at_delay_ms_p99", percentileMsOfUs(a, 0.99));
            out.put("at_delay_ms_max", a.length == 0 ? Double.NaN : a[a.length - 1] / 1e3);
            out.put("unstamped_events", p.unstamped());
            out.put("failures", p.failures() + p.unstamped() + (d.length == 0 ? 1 : 0));
            return out;
        }
    }

    /**
     * Starts {@code runs} runs held at their first model call, connects {@code perRun} watchers to
     * each, opens the gate and waits for every stream to end.
     */
    private WatchPass watch(Served served, StampingStore store, LiveModel model, int runs, int perRun, long latencyMs)
            throws InterruptedException {
        CountDownLatch gate = new CountDownLatch(1);
        model.gate = gate;
        model.latencyMs = latencyMs;
        try {
            DurableClient client = served.server().worker().client();
            List<String> ids = new ArrayList<>(runs);
            for (int i = 0; i < runs; i++) {
                ids.add(client.startRun(DESK, triage.name(), SupportFlow.INPUT).id());
            }
            String host = served.server().url().getHost();
            int port = served.server().port();
            int watchers = runs * perRun;
            CountDownLatch connected = new CountDownLatch(watchers);
            List<Watched> seen = java.util.Collections.synchronizedList(new ArrayList<>(watchers));
            List<Thread> threads = new ArrayList<>(watchers);
            long connectStart = System.nanoTime();
            for (String id : ids) {
                for (int k = 0; k < perRun; k++) {
                    threads.add(Thread.ofVirtual().start(() -> seen.add(watchOne(host, port, id, connected))));
                }
            }
            if (!connected.await(120, TimeUnit.SECONDS)) {
                firstError.compareAndSet(null, "watchers: " + connected.getCount() + " of " + watchers + " not connected after 120 s");
            }
            double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
            double cpu = Durable.processCpuSeconds();
            long start = System.nanoTime();
            gate.countDown();
            for (Thread t : threads) {
                t.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = Durable.processCpuSeconds() - cpu;
            long failures = watchers - seen.size();
            long received = 0;
            long unstamped = 0;
            long[] writeDelays = new long[1024];
            long[] atDelays = new long[1024];
            int nw = 0;
            int na = 0;
            for (Watched w : seen) {
                if (w.problem() != null) {
                    failures++;
                    firstError.compareAndSet(null, "watcher: " + w.problem());
                }
                for (int i = 0; i < w.n(); i++) {
                    received++;
                    if (w.atUs()[i] >= w.connectedUs()) {
                        if (na == atDelays.length) {
                            atDelays = Arrays.copyOf(atDelays, na * 2);
                        }
                        atDelays[na++] = w.receivedUs()[i] - w.atUs()[i];
                    }
                    Long written = store.writtenUs.get(w.runId() + "/" + w.seq()[i]);
                    if (written == null) {
                        unstamped++;
                        firstError.compareAndSet(null, "watcher: no write noted for event " + w.seq()[i] + " of run " + w.runId());
                    } else if (written >= w.connectedUs()) {
                        if (nw == writeDelays.length) {
                            writeDelays = Arrays.copyOf(writeDelays, nw * 2);
                        }
                        writeDelays[nw++] = w.receivedUs()[i] - written;
                    }
                }
            }
            return new WatchPass(Arrays.copyOf(writeDelays, nw), Arrays.copyOf(atDelays, na), nw, na, received, unstamped, failures,
                    connectSeconds, seconds, cpuSeconds);
        } finally {
            gate.countDown();
        }
    }

    /** One watcher: connects, counts down {@code connected}, then reads the stream to its end. */
    private static Watched watchOne(String host, int port, String runId, CountDownLatch connected) {
        boolean counted = false;
        long[] seqs = new long[32];
        long[] ats = new long[32];
        long[] received = new long[32];
        int n = 0;
        long connectedUs = 0;
        try (SseConnection sse = SseConnection.open(host, port, "/api/runs/" + runId + "/stream")) {
            String first = sse.readLine(); // the stream's opening comment, written before any event
            connectedUs = nowMicros();
            connected.countDown();
            counted = true;
            if (first == null || !first.startsWith(": run ")) {
                return Watched.failed(runId, "run " + runId + ": the stream opened with '" + first + "'");
            }
            String event = null;
            for (String line = sse.readLine(); line != null; line = sse.readLine()) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    long receivedUs = nowMicros();
                    if ("end".equals(event)) {
                        JsonNode run = JSON.readTree(line.substring(6));
                        String problem = "completed".equals(run.path("status").asText()) ? null
                                : "run " + runId + " ended " + run.path("status").asText();
                        return new Watched(runId, connectedUs, seqs, ats, received, n, problem);
                    }
                    long seq = longField(line, "\"seq\":");
                    if (seq != n) {
                        return new Watched(runId, connectedUs, seqs, ats, received, n,
                                "run " + runId + ": event " + seq + " where " + n + " was due");
                    }
                    if (n == seqs.length) {
                        seqs = Arrays.copyOf(seqs, n * 2);
                        ats = Arrays.copyOf(ats, n * 2);
                        received = Arrays.copyOf(received, n * 2);
                    }
                    seqs[n] = seq;
                    ats[n] = micros(Instant.parse(stringField(line, "\"at\":\"")));
                    received[n] = receivedUs;
                    n++;
                }
            }
            return new Watched(runId, connectedUs, seqs, ats, received, n, "run " + runId + ": the stream ended without its end event");
        } catch (IOException | RuntimeException e) {
            return new Watched(runId, connectedUs, seqs, ats, received, n, "run " + runId + ": " + e);
        } finally {
            if (!counted) {
                connected.countDown();
            }
        }
    }

    /** The first {@code "at":"…"} of an event's JSON is its own: the fields come in the order seq, type, agent, at, data. */
    private static String stringField(String line, String prefix) {
        int i = line.indexOf(prefix);
        if (i < 0) {
            throw new IllegalStateException("no " + prefix + " in " + line);
        }
        int from = i + prefix.length();
        return line.substring(from, line.indexOf('"', from));
    }

    private static long longField(String line, String prefix) {
        int i = line.indexOf(prefix);
        if (i < 0) {
            throw new IllegalStateException("no " + prefix + " in " + line);
        }
        int from = i + prefix.length();
        int to = from;
        while (to < line.length() && Character.isDigit(line.charAt(to))) {
            to++;
        }
        return Long.parseLong(line.substring(from, to));
    }

    private static long nowMicros() {
        return micros(Instant.now());
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    /** The nearest-rank percentile of sorted microseconds, in milliseconds; NaN for none. */
    private static double percentileMsOfUs(long[] sortedUs, double p) {
        if (sortedUs.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sortedUs.length);
        return sortedUs[Math.max(0, Math.min(sortedUs.length - 1, rank - 1))] / 1e3;
    }

    private static void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
