package dev.baton.bench;

import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import dev.baton.runtime.InMemoryDeadLetters;
import dev.baton.runtime.InProcessRuntime;
import dev.baton.runtime.handoff.AgentResponse;
import dev.baton.runtime.handoff.HandoffDesk;
import dev.baton.runtime.handoff.Person;
import dev.baton.runtime.handoff.TurnFailed;
import dev.baton.session.InMemorySessionStore;
import dev.baton.trace.TraceProcessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The {@code runtime} scenario: the support flow of {@link SupportFlow} as a publish/subscribe
 * conversation on an {@link InProcessRuntime}, through {@link HandoffDesk} (issue 16). A session
 * is one login on the user topic; the {@link dev.baton.runtime.handoff.UserAgent} asks the person
 * for the first message and publishes it to triage's topic; triage's turn hands off, which
 * publishes the conversation to billing's topic; billing calls {@code get_invoice} and answers,
 * which publishes an {@link AgentResponse} on the user topic; the person hears it and ends the
 * session. Four messages, three model calls (triage, billing, billing after the tool) and one tool
 * call per session, the conversation kept in an in-memory session store.
 */
final class RuntimeFlow {
    /** Model calls on a session's critical path: triage, billing, billing after {@code get_invoice}. */
    static final int MODEL_CALLS = 3;

    private final UnaryOperator<RunOptions<Void>> options;
    private final List<TraceProcessor> traceProcessors;
    private final AtomicReference<String> firstError;

    RuntimeFlow(UnaryOperator<RunOptions<Void>> options, List<TraceProcessor> traceProcessors, AtomicReference<String> firstError) {
        this.options = options;
        this.traceProcessors = traceProcessors;
        this.firstError = firstError;
    }

    /** The answer a session must end with: from the billing specialist, about the refund. */
    static boolean check(AgentResponse answer) {
        return "billing_specialist".equals(answer.agent()) && answer.text().contains("Refund");
    }

    /**
     * One desk on a runtime of its own: the support flow hosted, a person on every session who
     * writes {@link SupportFlow#INPUT} once and ends the session when it hears the answer.
     */
    final class Desk implements AutoCloseable {
        final InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();
        final InProcessRuntime runtime = InProcessRuntime.builder().deadLetters(deadLetters).build();
        final InMemorySessionStore sessions = new InMemorySessionStore();
        final AtomicLong modelCalls = new AtomicLong();
        /** Model calls that are a session's last: billing's, after {@code get_invoice} answered. */
        final AtomicLong lastCalls = new AtomicLong();
        private final HandoffDesk<Void> desk;
        private final Map<String, CompletableFuture<AgentResponse>> waiting = new ConcurrentHashMap<>();

        /** A desk whose scripted model waits {@code latencyMs} before each answer. */
        Desk(long latencyMs) {
            Model script = new SupportFlow.ScriptModel(latencyMs);
            Model counted = request -> {
                modelCalls.incrementAndGet();
                if (request.lastInput() instanceof ToolOutput out && out.output().contains("\"status\":\"paid\"")) {
                    lastCalls.incrementAndGet();
                }
                return script.respond(request);
            };
            Runner runner = Runner.create(RunConfig.builder().defaultModel(counted).sessionStore(sessions)
                    .traceProcessors(traceProcessors).build());
            desk = HandoffDesk.builder(SupportFlow.triage(), runner).runOptions(options).build();
            desk.host(runtime);
            desk.hostUser(runtime, new Customer());
        }

        /** Logs {@code session} in; completes with the answer the person heard, or fails with the turn's failure. */
        CompletableFuture<AgentResponse> start(String session) {
            CompletableFuture<AgentResponse> answer = new CompletableFuture<>();
            waiting.put(session, answer);
            desk.login(runtime, session);
            return answer;
        }

        /** Sessions logged in and not yet answered. */
        int open() {
            return waiting.size();
        }

        /** Agent instances the runtime holds: a session's three (the user's, triage's, billing's) while it goes on, none once it ended (they go dormant). */
        int instances() {
            return runtime.instanceCount();
        }

        @Override
        public void close() {
            runtime.stopWhenIdle();
        }

        /** The person: one message, one answer heard, then the session ends. */
        private final class Customer implements Person {
            @Override
            public Optional<String> firstMessage(String session) {
                return Optional.of(SupportFlow.INPUT);
            }

            @Override
            public Optional<String> reply(String session, AgentResponse answer) {
                CompletableFuture<AgentResponse> waiter = waiting.remove(session);
                if (waiter != null) {
                    waiter.complete(answer);
                }
                return Optional.empty();
            }

            @Override
            public Optional<String> afterFailure(String session, TurnFailed failure) {
                CompletableFuture<AgentResponse> waiter = waiting.remove(session);
                if (waiter != null) {
                    waiter.completeExceptionally(new IllegalStateException(failure.agent() + " failed: " + failure.error()));
                }
                return Optional.empty();
            }
        }
    }

    /** What one pass of sessions came to. */
    record Pass(int sessions, double seconds, double cpuSeconds, long failures, long modelCalls, int deadLetters, int instances) {}

    /**
     * {@code n} sessions on a fresh desk with no model latency, {@code c} clients at a time, each
     * on a virtual thread logging a session in and waiting for its answer before the next.
     */
    Pass sessions(String prefix, int n, int c) throws InterruptedException {
        try (Desk desk = new Desk(0)) {
            AtomicInteger next = new AtomicInteger();
            AtomicLong failures = new AtomicLong();
            Runnable client = () -> {
                int i;
                while ((i = next.getAndIncrement()) < n) {
                    await(desk.start(prefix + i), failures);
                }
            };
            long cpuStart = cpuNanos();
            long start = System.nanoTime();
            List<Thread> clients = new ArrayList<>(c);
            for (int i = 0; i < c; i++) {
                clients.add(Thread.ofVirtual().start(client));
            }
            for (Thread t : clients) {
                t.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = (cpuNanos() - cpuStart) / 1e9;
            desk.runtime.stopWhenIdle();
            return new Pass(n, seconds, cpuSeconds, failures.get(), desk.modelCalls.get(), deadLetters(desk), desk.instances());
        }
    }

    /** Warm-up, then {@code repeats} passes of {@code n} sessions at concurrency {@code c}; the figures of the median pass. */
    void throughput(int n, int w, int c, int repeats, Map<String, Object> out) throws InterruptedException {
        if (w > 0) {
            sessions("w-", w, c);
        }
        Pass[] passes = new Pass[repeats];
        for (int r = 0; r < repeats; r++) {
            System.gc();
            passes[r] = sessions("r" + r + "-", n, c);
        }
        double[] rates = Arrays.stream(passes).mapToDouble(p -> p.sessions() / p.seconds()).toArray();
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        long failures = 0;
        long modelCalls = 0;
        long deadLetters = 0;
        for (Pass p : passes) {
            failures += p.failures() + p.deadLetters();
            modelCalls += p.modelCalls();
            deadLetters += p.deadLetters();
        }
        out.put("repeats", repeats);
        out.put("warmup", w);
        out.put("seconds", n / median);
        out.put("runs_per_s", median);
        out.put("us_per_run", 1e6 / median);
        out.put("sessions_per_s", median);
        out.put("ms_per_session", 1e3 / median);
        out.put("sessions_per_s_min", sorted[0]);
        out.put("sessions_per_s_max", sorted[sorted.length - 1]);
        out.put("sessions_per_s_all", rates);
        double[] cpu = Arrays.stream(passes).mapToDouble(p -> p.cpuSeconds() * 1e6 / p.sessions()).sorted().toArray();
        out.put("cpu_us_per_session", cpu.length % 2 == 1 ? cpu[cpu.length / 2] : (cpu[cpu.length / 2 - 1] + cpu[cpu.length / 2]) / 2);
        out.put("cpu_us_per_session_min", cpu[0]);
        out.put("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.put("model_calls_per_session", modelCalls / (double) ((long) n * repeats));
        out.put("instances_per_session", passes[0].instances() / (double) n);
        out.put("dead_letters", deadLetters);
        out.put("failures", failures);
    }

    /**
     * {@code n} sessions logged in at once with a model that waits {@code latencyMs} per answer:
     * the wall time until every answer was heard, against the ideal ({@value #MODEL_CALLS} model
     * calls); peak resident memory during that pass; then, in a second pass of its own (so its
     * full collections do not show in the wall time), the live heap after a full collection once
     * the last of the {@code n} sessions has begun its last model call, against the live heap
     * before, per session.
     */
    void inFlight(int n, long latencyMs, int w, Map<String, Object> out) throws InterruptedException {
        if (w > 0) {
            try (Desk warm = new Desk(1)) {
                runAll(warm, "w-", w, new AtomicLong());
            }
        }
        System.gc();
        long baselineRssKb = Memory.rssKb();
        Memory.Peak sampler = Memory.samplePeak(baselineRssKb);
        AtomicLong failures = new AtomicLong();
        double wall;
        double submitted;
        Pass timed;
        long peakRssKb;
        try (Desk desk = new Desk(latencyMs)) {
            long start = System.nanoTime();
            List<CompletableFuture<AgentResponse>> all = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                all.add(desk.start("s-" + i));
            }
            submitted = (System.nanoTime() - start) / 1e9;
            for (CompletableFuture<AgentResponse> f : all) {
                await(f, failures);
            }
            wall = (System.nanoTime() - start) / 1e9;
            peakRssKb = sampler.stop();
            desk.runtime.stopWhenIdle();
            timed = new Pass(n, wall, 0, failures.get(), desk.modelCalls.get(), deadLetters(desk), desk.instances());
        }

        // Memory: a second pass, probed when the last session has begun its last model call, when a
        // session holds the most (three agent instances, the whole conversation in the session store,
        // billing's parked turn); a session that has already ended keeps only its store (its agents went dormant).
        System.gc();
        long baseline = liveHeap();
        long live;
        int openAtProbe;
        int instancesAtProbe;
        AtomicLong memoryFailures = new AtomicLong();
        int memoryDeadLetters;
        try (Desk desk = new Desk(latencyMs)) {
            long start = System.nanoTime();
            List<CompletableFuture<AgentResponse>> all = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                all.add(desk.start("m-" + i));
            }
            while (desk.lastCalls.get() < n && desk.open() > 0) {
                Thread.sleep(1);
            }
            openAtProbe = desk.open();
            instancesAtProbe = desk.instances();
            System.gc();
            live = liveHeap();
            for (CompletableFuture<AgentResponse> f : all) {
                await(f, memoryFailures);
            }
            desk.runtime.stopWhenIdle();
            memoryDeadLetters = deadLetters(desk);
        }

        double ideal = MODEL_CALLS * latencyMs / 1000.0;
        out.put("inflight", n);
        out.put("latency_ms", latencyMs);
        out.put("warmup", w);
        out.put("wall_s", wall);
        out.put("ideal_s", ideal);
        out.put("wall_vs_ideal", wall / ideal);
        out.put("start_all_s", submitted);
        out.put("seconds", wall);
        out.put("runs_per_s", n / wall);
        out.put("us_per_run", wall * 1e6 / n);
        out.put("sessions_per_s", n / wall);
        out.put("model_calls_per_session", timed.modelCalls() / (double) n);
        out.put("baseline_heap_mb", baseline / 1048576.0);
        out.put("live_heap_mb", live / 1048576.0);
        out.put("open_at_memory_probe", openAtProbe);
        out.put("instances_at_memory_probe", instancesAtProbe);
        out.put("kb_per_run", (live - baseline) / 1024.0 / n);
        out.put("kb_per_session", (live - baseline) / 1024.0 / n);
        out.put("peak_rss_mb", peakRssKb / 1024.0);
        out.put("baseline_rss_mb", baselineRssKb / 1024.0);
        out.put("rss_kb_per_session", (peakRssKb - baselineRssKb) / (double) n);
        out.put("load_average", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.put("dead_letters", timed.deadLetters() + memoryDeadLetters);
        out.put("failures", timed.failures() + timed.deadLetters() + memoryFailures.get() + memoryDeadLetters);
    }

    /** Starts {@code n} sessions at once and waits for them all. */
    private void runAll(Desk desk, String prefix, int n, AtomicLong failures) {
        List<CompletableFuture<AgentResponse>> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(desk.start(prefix + i));
        }
        for (CompletableFuture<AgentResponse> f : all) {
            await(f, failures);
        }
    }

    /** Waits for a session's answer and checks it; a failure is counted and the first one kept. */
    private void await(CompletableFuture<AgentResponse> answer, AtomicLong failures) {
        try {
            AgentResponse a = answer.join();
            if (!check(a)) {
                failures.incrementAndGet();
                firstError.compareAndSet(null, "unexpected answer: agent=" + a.agent() + " text=" + a.text());
            }
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            firstError.compareAndSet(null, e + (e.getCause() != null ? " caused by " + e.getCause() : ""));
        }
    }

    /** The dead letters of a finished desk (each is a message nobody handled: a failure); the first one kept. */
    private int deadLetters(Desk desk) {
        var letters = desk.deadLetters.list();
        if (!letters.isEmpty()) {
            firstError.compareAndSet(null, "dead letter: " + letters.getFirst().reason() + " " + letters.getFirst().detail());
        }
        return letters.size();
    }

    /** CPU time of this process so far (all threads), in nanoseconds; 0 where the JVM does not say. */
    private static long cpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    /** Live heap bytes (call after a full collection). */
    private static long liveHeap() {
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
