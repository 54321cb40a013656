package dev.baton.bench;

import dev.baton.agent.Agent;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code steady} scenario: conversations arrive at a fixed rate, open loop (an arrival does
 * not wait for earlier ones to finish), each the support flow with a model that takes
 * {@code latencyMs} per answer. What a user of a busy desk feels is the time the runtime adds to
 * each turn, so that is what it reports: per conversation, its wall time minus the model's time,
 * divided by its model calls, at p50 / p99 / max over all conversations; and the live heap per
 * conversation in flight, in a second pass. The peer's {@code bench.mjs} measures the same way.
 */
final class Steady {
    /** Model calls per support-flow conversation: triage, billing, billing after the tool. */
    static final int TURNS = 3;

    private final Runner runner;
    private final Agent<Void> triage;
    private final RunOptions<Void> options;
    private final AtomicReference<String> firstError;

    Steady(Runner runner, Agent<Void> triage, RunOptions<Void> options, AtomicReference<String> firstError) {
        this.runner = runner;
        this.triage = triage;
        this.options = options;
        this.firstError = firstError;
    }

    /**
     * Starts {@code rate × seconds} conversations at their due times and waits for all of them;
     * then measures memory in a second, shorter pass; adds the figures to {@code out}.
     */
    void measure(int rate, double seconds, long latencyMs, Map<String, Object> out) throws InterruptedException {
        int total = (int) Math.round(rate * seconds);
        long[] addedPerTurnNs = new long[total];
        long modelNs = TURNS * latencyMs * 1_000_000L;
        Pass latency = new Pass(total, (index, ns) -> addedPerTurnNs[index] = Math.max(0, ns - modelNs) / TURNS);
        long start = System.nanoTime();
        double arrivalSeconds = latency.arrive(rate, start) / 1e9;
        latency.done.await();
        double wall = (System.nanoTime() - start) / 1e9;

        // Memory in a pass of its own, so the full collections it needs do not show in the latencies:
        // arrivals for twice a conversation's model time, then the live heap with that many in flight.
        System.gc();
        long baseline = liveHeap();
        int memoryTotal = (int) Math.max(rate, rate * 2 * modelNs / 1e9);
        Pass memory = new Pass(memoryTotal, (index, ns) -> { });
        memory.arrive(rate, System.nanoTime());
        int inFlightAtProbe = memory.inFlight.get();
        System.gc();
        long live = liveHeap();
        memory.done.await();

        Arrays.sort(addedPerTurnNs);
        out.put("rate_per_s", rate);
        out.put("arrival_rate_per_s", total / arrivalSeconds);
        out.put("latency_ms", latencyMs);
        out.put("seconds", wall);
        out.put("runs_per_s", total / wall);
        out.put("us_per_run", wall * 1e6 / total);
        out.put("added_ms_per_turn_p50", percentileMs(addedPerTurnNs, 0.50));
        out.put("added_ms_per_turn_p99", percentileMs(addedPerTurnNs, 0.99));
        out.put("added_ms_per_turn_max", addedPerTurnNs[total - 1] / 1e6);
        out.put("peak_in_flight", latency.peakInFlight.get());
        out.put("in_flight_at_memory_probe", inFlightAtProbe);
        out.put("kb_per_conversation_in_flight", (live - baseline) / 1024.0 / Math.max(1, inFlightAtProbe));
        out.put("failures", latency.failures.get() + memory.failures.get());
    }

    /** Live heap bytes (call after a full collection). */
    private static long liveHeap() {
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** What to record when a conversation ends: its index and its wall time in nanoseconds. */
    private interface Finished {
        void accept(int index, long nanos);
    }

    /** One open-loop pass of arrivals. */
    private final class Pass {
        final int total;
        final Finished finished;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger peakInFlight = new AtomicInteger();
        final AtomicLong failures = new AtomicLong();
        final CountDownLatch done;

        Pass(int total, Finished finished) {
            this.total = total;
            this.finished = finished;
            this.done = new CountDownLatch(total);
        }

        /** Starts every conversation at its due time from {@code start}; returns how long arriving took, in ns. */
        long arrive(int rate, long start) {
            double intervalNs = 1e9 / rate;
            for (int i = 0; i < total; i++) {
                long due = start + (long) (i * intervalNs);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                int index = i;
                long t0 = System.nanoTime();
                peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                Thread.ofVirtual().start(() -> {
                    try {
                        RunResult r = runner.run(triage, SupportFlow.INPUT, options);
                        if (!SupportFlow.check(r)) {
                            failures.incrementAndGet();
                            firstError.compareAndSet(null, "unexpected result: lastAgent=" + r.lastAgent());
                        }
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                        firstError.compareAndSet(null, String.valueOf(e));
                    } finally {
                        finished.accept(index, System.nanoTime() - t0);
                        inFlight.decrementAndGet();
                        done.countDown();
                    }
                });
            }
            return System.nanoTime() - start;
        }
    }

    /** The nearest-rank percentile of sorted nanoseconds, in milliseconds. */
    static double percentileMs(long[] sortedNs, double p) {
        int rank = (int) Math.ceil(p * sortedNs.length);
        return sortedNs[Math.max(0, Math.min(sortedNs.length - 1, rank - 1))] / 1e6;
    }
}
