package dev.baton.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.agent.Agent;
import dev.baton.openai.OpenAIChatCompletionsModel;
import dev.baton.openai.OpenAISettings;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures one scenario with Baton and prints one JSON line, in the format the peer's
 * {@code bench.mjs} prints, so {@code benchmarks/run} can put both in one table.
 */
@Command(name = "baton-bench", mixinStandardHelpOptions = true,
        description = "Runs one benchmark scenario with Baton and prints its figures as one JSON line.")
public final class BenchMain implements Callable<Integer> {

    @Option(names = "--scenario", required = true, description = "support-flow, in-flight, http, durable, steady, server, runtime or runtime-in-flight")
    String scenario;

    @Option(names = "--runs", description = "runs to measure (default: 20000 for support-flow and durable, 10000 for in-flight, 5000 for http; "
            + "server: conversations per way, default 384; runtime: sessions per pass, default 20000; runtime-in-flight: sessions "
            + "in flight, default 10000)")
    Integer runs;

    @Option(names = "--concurrency", description = "runs in flight at once (support-flow: default 1; http and durable: default 64; "
            + "server: conversations in flight, default 64; runtime: sessions in flight, default 1)")
    Integer concurrency;

    @Option(names = "--latency-ms", description = "model latency per answer (in-flight: default 1000; steady: default 500; "
            + "server: default 50 in the conversations; runtime-in-flight: default 1000)")
    Long latencyMs;

    @Option(names = "--repeats", defaultValue = "5",
            description = "runtime: measured passes after the warm-up (each on a fresh runtime); the median pass is reported")
    int repeats;

    @Option(names = "--turns", defaultValue = "4", description = "server: turns per conversation")
    int turns;

    @Option(names = "--watchers", defaultValue = "1000", description = "server: SSE watchers of live runs")
    int watchers;

    @Option(names = "--watchers-per-run", defaultValue = "1", description = "server: watchers of each live run")
    int watchersPerRun;

    @Option(names = "--watch-latency-ms", defaultValue = "1000",
            description = "server: mean model latency per answer in the watched runs (each answer takes L/2 to 3L/2)")
    long watchLatencyMs;

    @Option(names = "--rate", defaultValue = "2000", description = "steady: conversations arriving per second")
    int rate;

    @Option(names = "--duration-s", defaultValue = "20", description = "steady: seconds of arrivals (a five-minute load scaled to fit)")
    double durationS;

    @Option(names = "--warmup", description = "unmeasured runs first (default: min(20000, runs) for support-flow and durable, "
            + "each of durable's three passes; 500 for http; server: 128 conversations per way; runtime: five times --runs sessions; "
            + "runtime-in-flight: 200 sessions at 1 ms model latency)")
    Integer warmup;

    @Option(names = "--base-url", description = "http: the OpenAI-compatible endpoint, e.g. http://127.0.0.1:PORT/v1 "
            + "(the fixture server of benchmarks/run: dev.baton.bench.FixtureLlmServer)")
    String baseUrl;

    @Option(names = "--config", defaultValue = "tracing-off",
            description = "tracing-off (runs opt out of tracing), defaults (as configured out of the box: no trace "
                    + "processor, so no trace is built), or tracing-on (a batching processor with an exporter that discards)")
    String config;

    /** The run options of the chosen configuration. */
    private RunOptions<Void> options() {
        return switch (config) {
            case "tracing-off" -> RunOptions.<Void>none().withTracingDisabled(true);
            case "defaults", "tracing-on" -> RunOptions.none();
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "unknown config '" + config + "' (tracing-off, defaults, tracing-on)");
        };
    }

    /** The one processor every runner shares for tracing-on; the process exits without flushing it, as its exporter discards. */
    private java.util.List<dev.baton.trace.TraceProcessor> traceProcessors;

    /** The trace processors of the chosen configuration: one batching processor for tracing-on, none otherwise. */
    private java.util.List<dev.baton.trace.TraceProcessor> traceProcessors() {
        if (!config.equals("tracing-on")) {
            return java.util.List.of();
        }
        if (traceProcessors == null) {
            traceProcessors = java.util.List.of(dev.baton.trace.BatchTraceProcessor.builder((traces, spans) -> { }).build());
        }
        return traceProcessors;
    }

    /** A runner config with the chosen configuration's tracing. */
    private RunConfig.Builder runConfig() {
        return RunConfig.builder().traceProcessors(traceProcessors());
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<Map<String, Object>> measurements = switch (scenario) {
            case "support-flow" -> List.of(supportFlow());
            case "in-flight" -> List.of(inFlight());
            case "http" -> List.of(http());
            case "durable" -> durable();
            case "steady" -> List.of(steady());
            case "server" -> server();
            case "runtime" -> List.of(runtime());
            case "runtime-in-flight" -> List.of(runtimeInFlight());
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "unknown scenario '" + scenario + "' (support-flow, in-flight, http, durable, steady, server, runtime, "
                            + "runtime-in-flight)");
        };
        ObjectMapper json = new ObjectMapper();
        long failures = 0;
        for (Map<String, Object> figures : measurements) {
            System.out.println(json.writeValueAsString(figures));
            failures += ((Number) figures.get("failures")).longValue();
        }
        if (firstError.get() != null || failures > 0) {
            System.err.println("baton-bench: " + failures + " run(s) failed; first: " + firstError.get());
        }
        return failures == 0 ? 0 : 1;
    }

    /**
     * The support flow durably (SQLite journal, without sessions and with a session per run) and in
     * memory, in this JVM: three JSON lines, the durable measurement without sessions, the one with
     * sessions, then the in-memory one. See {@link Durable}.
     */
    private List<Map<String, Object>> durable() throws Exception {
        int n = runs != null ? runs : 20_000;
        int w = warmup != null ? warmup : Math.min(20_000, n);
        int c = concurrency != null ? concurrency : 64;
        Map<String, Object> durableHeader = header("durable", n, c);
        durableHeader.put("config", "sqlite-journal");
        durableHeader.put("tracing", config);
        Map<String, Object> sessionHeader = header("durable", n, c);
        sessionHeader.put("config", "sqlite-journal+session");
        sessionHeader.put("tracing", config);
        Map<String, Object> memoryHeader = header("durable", n, c);
        memoryHeader.put("config", "in-memory");
        memoryHeader.put("tracing", config);
        return new Durable(options(), traceProcessors(), firstError).measure(n, w, c, durableHeader, sessionHeader, memoryHeader);
    }

    /**
     * Baton's HTTP server on loopback: two JSON lines, the latency it adds to each turn of 64
     * conversations (config {@code conversations}) and the delay of events to 1,000 SSE watchers of
     * live runs (config {@code sse-watchers}). See {@link Server}.
     */
    private List<Map<String, Object>> server() throws Exception {
        int n = runs != null ? runs : 384;
        int c = concurrency != null ? concurrency : 64;
        if (n < 1 || c < 1 || turns < 1 || watchers < 1 || watchersPerRun < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "server: --runs, --concurrency, --turns, --watchers and --watchers-per-run must be at least 1");
        }
        Server.Settings settings = new Server.Settings(n, c, turns, latencyMs != null ? latencyMs : 50,
                warmup != null ? warmup : 128, watchers, watchersPerRun, watchLatencyMs);
        Map<String, Object> turnsHeader = header("server", n * turns, c);
        turnsHeader.put("config", "conversations");
        turnsHeader.put("tracing", config);
        int liveRuns = (watchers + watchersPerRun - 1) / watchersPerRun;
        Map<String, Object> watchHeader = header("server", liveRuns, liveRuns * watchersPerRun);
        watchHeader.put("config", "sse-watchers");
        watchHeader.put("tracing", config);
        return new Server(options(), traceProcessors(), firstError).measure(settings, turnsHeader, watchHeader);
    }

    /** The run options of the chosen configuration, as a refinement of the desk's options. */
    private java.util.function.UnaryOperator<RunOptions<Void>> refineOptions() {
        options(); // rejects an unknown config
        return config.equals("tracing-off") ? o -> o.withTracingDisabled(true) : o -> o;
    }

    /**
     * The support flow as a publish/subscribe conversation on the in-process runtime, sessions one
     * after the other on each of {@code --concurrency} clients: the median of {@code --repeats}
     * passes after a warm-up. See {@link RuntimeFlow}.
     */
    private Map<String, Object> runtime() throws Exception {
        int n = runs != null ? runs : 20_000;
        // The JIT compilers are still busy after 20,000 sessions of this flow (a third of the CPU in a profile), and the
        // first passes after them ran at half the speed of the later ones: warm up on five passes' worth.
        int w = warmup != null ? warmup : 5 * n;
        int c = concurrency != null ? concurrency : 1;
        if (n < 1 || c < 1 || repeats < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "runtime: --runs, --concurrency and --repeats must be at least 1");
        }
        Map<String, Object> out = header("runtime", n, c);
        out.put("config", "sessions");
        out.put("tracing", config);
        new RuntimeFlow(refineOptions(), traceProcessors(), firstError).throughput(n, w, c, repeats, out);
        return out;
    }

    /** The runtime's support flow with {@code --runs} sessions in flight at once; see {@link RuntimeFlow#inFlight}. */
    private Map<String, Object> runtimeInFlight() throws Exception {
        int n = runs != null ? runs : 10_000;
        long latency = latencyMs != null ? latencyMs : 1000;
        if (n < 1 || latency < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "runtime-in-flight: --runs must be at least 1");
        }
        Map<String, Object> out = header("runtime", n, n);
        out.put("config", "in-flight");
        out.put("tracing", config);
        new RuntimeFlow(refineOptions(), traceProcessors(), firstError).inFlight(n, latency, warmup != null ? warmup : 200, out);
        return out;
    }

    private Runner runner(long latency) {
        return Runner.create(runConfig().defaultModel(new SupportFlow.ScriptModel(latency)).build());
    }

    private Map<String, Object> supportFlow() throws Exception {
        int n = runs != null ? runs : 20_000;
        int w = warmup != null ? warmup : Math.min(20_000, n);
        return timed("support-flow", runner(0), n, w, concurrency != null ? concurrency : 1);
    }

    /**
     * The support flow against an OpenAI-compatible server over HTTP, with Baton's Chat Completions
     * model ({@code baton-openai}). No retries, so that a failed call is a failed run.
     */
    private Map<String, Object> http() throws Exception {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--base-url is required for the http scenario (benchmarks/run starts the fixture server)");
        }
        int n = runs != null ? runs : 5_000;
        int w = warmup != null ? warmup : 500;
        OpenAISettings settings = OpenAISettings.builder()
                .apiKey("bench")
                .baseUrl(baseUrl)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
        try (OpenAIChatCompletionsModel model = OpenAIChatCompletionsModel.create(settings, "bench-model")) {
            Runner runner = Runner.create(runConfig().defaultModel(model).build());
            return timed("http", runner, n, w, concurrency != null ? concurrency : 64);
        }
    }

    /** Warm-up, then {@code n} measured runs at concurrency {@code c}; the figures of the measured runs. */
    private Map<String, Object> timed(String name, Runner runner, int n, int w, int c) throws InterruptedException {
        Agent<Void> triage = SupportFlow.triage();
        AtomicLong failures = new AtomicLong();
        measure(runner, triage, options(), w, c, failures);
        failures.set(0);
        long start = System.nanoTime();
        measure(runner, triage, options(), n, c, failures);
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> out = header(name, n, c);
        out.put("seconds", seconds);
        out.put("runs_per_s", n / seconds);
        out.put("us_per_run", seconds * 1e6 / n);
        out.put("failures", failures.get());
        return out;
    }

    /** The first failure of any run (a failed check or an exception), reported on stderr. */
    private static final AtomicReference<String> firstError = new AtomicReference<>();

    /** Runs {@code n} runs with {@code c} workers pulling from a shared counter, as the peer does. */
    private static void measure(Runner runner, Agent<Void> triage, RunOptions<Void> options, int n, int c, AtomicLong failures) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            while (next.getAndIncrement() < n) {
                try {
                    RunResult r = runner.run(triage, SupportFlow.INPUT, options);
                    if (!SupportFlow.check(r)) {
                        failures.incrementAndGet();
                        firstError.compareAndSet(null, "unexpected result: lastAgent=" + r.lastAgent()
                                + " output=" + r.finalOutputText());
                    }
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                    firstError.compareAndSet(null, e + (e.getCause() != null ? " caused by " + e.getCause() : ""));
                }
            }
        };
        if (c == 1) {
            worker.run();
            return;
        }
        List<Thread> threads = new ArrayList<>(c);
        for (int i = 0; i < c; i++) {
            threads.add(Thread.ofVirtual().start(worker));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    /** Conversations at a fixed arrival rate; see {@link Steady}. */
    private Map<String, Object> steady() throws Exception {
        long latency = latencyMs != null ? latencyMs : 500;
        AtomicLong ignored = new AtomicLong();
        measure(runner(0), SupportFlow.triage(), options(), warmup != null ? warmup : 20_000, 64, ignored);
        Map<String, Object> out = header("steady", (int) Math.round(rate * durationS), rate);
        new Steady(runner(latency), SupportFlow.triage(), options(), firstError).measure(rate, durationS, latency, out);
        return out;
    }

    private Map<String, Object> inFlight() throws Exception {
        long latencyMs = this.latencyMs != null ? this.latencyMs : 1000;
        int n = runs != null ? runs : 10_000;
        Agent<Void> triage = SupportFlow.triage();
        // Warm up the code paths at low latency so the measurement is not of the JIT.
        Runner warm = runner(1);
        AtomicLong ignored = new AtomicLong();
        measure(warm, triage, options(), warmup != null ? warmup : 200, 64, ignored);
        System.gc();
        long baselineKb = Memory.rssKb();

        Runner runner = runner(latencyMs);
        Memory.Peak sampler = Memory.samplePeak(baselineKb);
        long start = System.nanoTime();
        List<CompletableFuture<RunResult>> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(runner.runAsync(triage, SupportFlow.INPUT, options()));
        }
        double submitted = (System.nanoTime() - start) / 1e9;
        long failures = 0;
        for (CompletableFuture<RunResult> f : all) {
            if (!SupportFlow.check(f.join())) {
                failures++;
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        long peak = sampler.stop();

        Map<String, Object> out = header("in-flight", n, n);
        out.put("inflight", n);
        out.put("latency_ms", latencyMs);
        out.put("wall_s", wall);
        out.put("ideal_s", 3 * latencyMs / 1000.0);
        out.put("start_all_s", submitted);
        out.put("seconds", wall);
        out.put("runs_per_s", n / wall);
        out.put("us_per_run", wall * 1e6 / n);
        out.put("peak_rss_mb", peak / 1024.0);
        out.put("baseline_rss_mb", baselineKb / 1024.0);
        out.put("kb_per_run", (peak - baselineKb) / (double) n);
        out.put("failures", failures);
        return out;
    }

    private Map<String, Object> header(String name, int n, int c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("impl", "baton");
        out.put("scenario", name);
        out.put("config", config);
        out.put("runs", n);
        out.put("concurrency", c);
        out.put("java", Runtime.version().toString());
        return out;
    }
}
