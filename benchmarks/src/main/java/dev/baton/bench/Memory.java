package dev.baton.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process, from /proc (Linux). */
final class Memory {
    private Memory() {}

    /** Current resident set size in KB, or -1 where /proc is missing. */
    static long rssKb() {
        return field("VmRSS:");
    }

    /** Peak resident set size in KB since the process started, or -1. */
    static long peakRssKb() {
        return field("VmHWM:");
    }

    /**
     * Samples the resident set size every 50 ms from {@code baselineKb} on, until {@link Peak#stop()}
     * returns the highest seen (or the kernel's own peak, if higher).
     */
    static Peak samplePeak(long baselineKb) {
        return new Peak(baselineKb);
    }

    /** A sampler of the resident set size on a daemon thread; see {@link #samplePeak}. */
    static final class Peak {
        private final java.util.concurrent.atomic.AtomicLong peakKb;
        private final Thread sampler;

        private Peak(long baselineKb) {
            this.peakKb = new java.util.concurrent.atomic.AtomicLong(baselineKb);
            this.sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peakKb.accumulateAndGet(rssKb(), Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        /** Stops sampling; the peak in KB. */
        long stop() {
            sampler.interrupt();
            return Math.max(peakKb.get(), peakRssKb());
        }
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
