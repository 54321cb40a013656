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
