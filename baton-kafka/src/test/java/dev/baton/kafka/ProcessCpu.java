package dev.baton.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The CPU time of the processes of a measurement, by kind: this JVM, and its descendants (the
 * broker, the workers, the PostgreSQL server and its backends), from the operating system's
 * accounting. Per session, it is a steadier figure than sessions per second on a shared machine:
 * it does not move with what the machine's other tenants take.
 */
record ProcessCpu(Map<String, Duration> byKind) {
    /** The kernel's clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ), 100 on Linux. */
    private static final long TICKS_PER_SECOND = 100;

    /** A snapshot; {@code workers} are the worker processes this JVM started. */
    static ProcessCpu now(List<Process> workers) {
        Set<Long> workerPids = workers.stream().map(Process::pid).collect(Collectors.toSet());
        Map<String, Duration> kinds = new TreeMap<>();
        add(kinds, "people", ProcessHandle.current());
        ProcessHandle.current().descendants().forEach(p -> add(kinds, kind(p, workerPids), p));
        return new ProcessCpu(kinds);
    }

    /** Prints the CPU per session of each kind since {@code before}, and returns this snapshot. */
    ProcessCpu report(ProcessCpu before, int sessions) {
        StringBuilder line = new StringBuilder("  CPU per session:");
        double total = 0;
        for (Map.Entry<String, Duration> e : byKind.entrySet()) {
            Duration was = before.byKind.getOrDefault(e.getKey(), Duration.ZERO);
            double ms = Math.max(0, e.getValue().minus(was).toNanos()) / 1e6 / sessions;
            total += ms;
            line.append(String.format(Locale.ROOT, " %s %.2f ms", e.getKey(), ms));
        }
        System.out.println(line.append(String.format(Locale.ROOT, "; all %.2f ms", total)));
        return this;
    }

    /**
     * A process's own CPU time and that of its children that ended (from {@code /proc}, where there
     * is one): PostgreSQL's autovacuum workers come and go between two snapshots, and what they
     * took is then in the server's count of its ended children.
     */
    private static void add(Map<String, Duration> kinds, String kind, ProcessHandle p) {
        Duration cpu;
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is the state (field 3 of proc(5)): utime is field 14, stime 15, cutime 16, cstime 17
            long ticks = 0;
            for (int field = 14; field <= 17; field++) {
                ticks += Long.parseLong(fields[field - 3]);
            }
            cpu = Duration.ofNanos(ticks * (1_000_000_000L / TICKS_PER_SECOND));
        } catch (IOException | RuntimeException e) {
            cpu = p.info().totalCpuDuration().orElse(Duration.ZERO); // no /proc, or the process ended: what ProcessHandle knows
        }
        kinds.merge(kind, cpu, Duration::plus);
    }

    /** By executable: the command line is cut short for long class paths. */
    private static String kind(ProcessHandle p, Set<Long> workerPids) {
        if (workerPids.contains(p.pid())) {
            return "workers";
        }
        String executable = p.info().command().orElse("");
        if (executable.endsWith("/postgres")) {
            return "postgres";
        }
        return executable.endsWith("/java") ? "broker" : "other";
    }
}
