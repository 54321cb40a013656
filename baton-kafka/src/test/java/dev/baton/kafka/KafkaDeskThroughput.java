package dev.baton.kafka;

import dev.baton.jdbc.PostgresServer;
import dev.baton.runtime.handoff.AgentResponse;
import dev.baton.runtime.handoff.UserTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The support flow on Kafka, measured: one local broker ({@link KafkaBroker}), two worker JVMs
 * ({@link KafkaDeskWorker}, one consumer group) whose turns are journaled in one PostgreSQL
 * ({@link PostgresServer}; runs, effects and sessions), a zero-latency scripted model, and the
 * people in this JVM ({@link KafkaDeskCustomers}). After a warm-up, each round starts N sessions at
 * once and reports sessions per second (N over the time from the first login to the last answer
 * heard) and, per hop, the latency from a message's publication (its Kafka record's create time,
 * milliseconds) to its handling by the next agent (the turn's start in the worker; for the answer,
 * the person hearing it), p50 and p99. See docs/benchmarks.md, "Runtime on Kafka".
 *
 * <p>Options: {@code --sessions N} (default 2000), {@code --rounds R} (3), {@code --warmup W} (200).
 */
public final class KafkaDeskThroughput {
    private KafkaDeskThroughput() {}

    public static void main(String[] args) throws Exception {
        int sessions = option(args, "--sessions", 2000);
        int rounds = option(args, "--rounds", 3);
        int warmup = option(args, "--warmup", 200);
        String journal = text(args, "--journal", "postgres");
        Path dir = Files.createTempDirectory("kafka-desk-throughput-");
        String prefix = "bench.";
        List<Process> workers = new ArrayList<>();
        try (KafkaBroker broker = KafkaBroker.start()) {
            String url = PostgresServer.createDatabase("kafka_bench");
            try (KafkaDesk.Stores stores = KafkaDesk.Stores.open(url, PostgresServer.user(), PostgresServer.password())) {
                String sql = System.getProperty("kafkaDesk.sql", "").strip();
                if (!sql.isEmpty()) { // an experiment on the schema (an index dropped, a setting), run before the workers start
                    try (var c = stores.pool().getConnection(); var st = c.createStatement()) {
                        st.execute(sql);
                    }
                }
                if (Boolean.getBoolean("kafkaDesk.logStatements")) {  // every statement of the workers in the server's log
                    try (var c = stores.pool().getConnection(); var st = c.createStatement()) {
                        st.execute("ALTER DATABASE " + c.getCatalog() + " SET log_statement = 'all'");
                    }
                }
                List<String> workerArgs = List.of(broker.bootstrapServers(), "bench-desk", prefix, url, PostgresServer.user(),
                        PostgresServer.password(), dir.toString(), "0", "10000", "false", "true", journal);
                for (int i = 0; i < 2; i++) {
                    workers.add(new ProcessBuilder(KafkaDeskWorker.command(workerOptions(i), workerArgs))
                            .redirectErrorStream(true).redirectOutput(dir.resolve("worker-" + i + ".out").toFile()).start());
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (lines(dir.resolve("ready.log")).size() < 2) {
                    if (System.nanoTime() > deadline || workers.stream().anyMatch(p -> !p.isAlive())) {
                        throw new IllegalStateException("the workers did not start; see " + dir);
                    }
                    Thread.sleep(50);
                }
                KafkaDeskCustomers people = new KafkaDeskCustomers(broker.settings("bench-people", "bench-people").withTopicPrefix(prefix),
                        stores.sessions()).awaitAssignment(Duration.ofSeconds(60));
                System.out.printf(Locale.ROOT, "Kafka desk: broker %s, 2 workers (group bench-desk, %d partitions per topic), "
                        + "journal and sessions in PostgreSQL, zero-latency scripted model%n", broker.bootstrapServers(),
                        KafkaRuntime.DEFAULT_PARTITIONS);
                int expected = 0;
                expected = round(people, "w", warmup, expected, "warm-up");
                DatabaseWork work = DatabaseWork.of(stores.pool());
                ProcessCpu cpu = ProcessCpu.now(workers);
                List<List<String>> measured = new ArrayList<>();
                for (int r = 1; r <= rounds; r++) {
                    List<String> ids = ids("r" + r + "-", sessions);
                    measured.add(ids);
                    expected = round(people, "r" + r + "-", sessions, expected, "round " + r);
                    work = work.report(stores.pool(), sessions);
                    cpu = ProcessCpu.now(workers).report(cpu, sessions);
                }
                people.stopWhenIdle();
                for (Process w : workers) {
                    w.getOutputStream().close();
                }
                for (Process w : workers) {
                    w.waitFor(60, TimeUnit.SECONDS);
                }
                hops(people, dir, prefix, measured);
                String endSql = System.getProperty("kafkaDesk.endSql", "").strip();
                if (!endSql.isEmpty()) { // a query on the benchmark's database after the rounds (sizes, statistics)
                    try (var c = stores.pool().getConnection(); var st = c.createStatement(); var rs = st.executeQuery(endSql)) {
                        int columns = rs.getMetaData().getColumnCount();
                        while (rs.next()) {
                            StringBuilder row = new StringBuilder();
                            for (int i = 1; i <= columns; i++) {
                                row.append(i > 1 ? " | " : "").append(rs.getString(i));
                            }
                            System.out.println(row);
                        }
                    }
                }
            }
        } finally {
            workers.forEach(Process::destroyForcibly);
        }
        System.out.println("worker logs and timings: " + dir);
    }

    private static int round(KafkaDeskCustomers people, String prefix, int n, int before, String label) throws Exception {
        List<String> ids = ids(prefix, n);
        long start = System.nanoTime();
        try (ExecutorService logins = Executors.newVirtualThreadPerTaskExecutor()) {
            ids.forEach(s -> logins.submit(() -> people.login(s)));
        }
        long deadline = start + TimeUnit.SECONDS.toNanos(120);
        while (people.sessionsHeard() < before + n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(label + ": only " + (people.sessionsHeard() - before) + " of " + n + " sessions answered in 120 s");
            }
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Long> e2e = new ArrayList<>();
        for (String s : ids) {
            e2e.add(people.heardBy(s).getFirst().atMicros() - people.loggedInAt(s));
        }
        System.out.printf(Locale.ROOT, "%-8s %6d sessions in %6.2f s: %7.0f sessions/s; per session (login to answer heard) p50 %.1f ms, p99 %.1f ms%n",
                label, n, seconds, n / seconds, pct(e2e, 50) / 1000.0, pct(e2e, 99) / 1000.0);
        return before + n;
    }

    /** Per hop, publication (record create time) to the next agent's handling, over the measured rounds. */
    private static void hops(KafkaDeskCustomers people, Path dir, String prefix, List<List<String>> measured) throws IOException {
        Map<String, Long> started = new HashMap<>();  // "session agent" -> first turn start, micros
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("timings-")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    String[] p = line.split(" ");
                    started.merge(p[0] + " " + p[1], Long.parseLong(p[2]), Math::min);
                }
            }
        }
        Map<String, Long> publishedTo = new HashMap<>();  // "session topicType" -> first create time, micros
        for (String type : List.of(KafkaDesk.TRIAGE, KafkaDesk.BILLING, "user")) {
            for (KafkaDeskCustomers.Published p : people.read(prefix + type)) {
                if (p.message() instanceof UserTask || p.message() instanceof AgentResponse) {
                    publishedTo.merge(p.envelope().topic().source() + " " + type, p.createdMillis() * 1000, Math::min);
                }
            }
        }
        List<Long> toTriage = new ArrayList<>();
        List<Long> toBilling = new ArrayList<>();
        List<Long> toPerson = new ArrayList<>();
        for (List<String> round : measured) {
            for (String s : round) {
                toTriage.add(started.get(s + " " + KafkaDesk.TRIAGE) - publishedTo.get(s + " " + KafkaDesk.TRIAGE));
                toBilling.add(started.get(s + " " + KafkaDesk.BILLING) - publishedTo.get(s + " " + KafkaDesk.BILLING));
                toPerson.add(people.heardBy(s).getFirst().atMicros() - publishedTo.get(s + " user"));
            }
        }
        System.out.println("per hop, publish (Kafka create time, ms resolution) to handling by the next agent, " + toTriage.size() + " sessions:");
        for (var hop : List.of(Map.entry("person -> triage", toTriage), Map.entry("triage -> billing (handoff)", toBilling),
                Map.entry("billing -> person (answer)", toPerson))) {
            System.out.printf(Locale.ROOT, "  %-28s p50 %6.1f ms   p99 %6.1f ms%n", hop.getKey(), pct(hop.getValue(), 50) / 1000.0,
                    pct(hop.getValue(), 99) / 1000.0);
        }
    }

    /** {@code -Xmx1g}, and what the system property {@code kafkaDesk.worker<i>} adds (a profiler agent, say), split at spaces. */
    private static List<String> workerOptions(int i) {
        List<String> options = new ArrayList<>(List.of("-Xmx1g"));
        String more = System.getProperty("kafkaDesk.worker" + i, "").strip();
        if (!more.isEmpty()) {
            options.addAll(List.of(more.split(" +")));
        }
        return options;
    }

    private static List<String> ids(String prefix, int n) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(prefix + String.format(Locale.ROOT, "%05d", i));
        }
        return ids;
    }

    private static double pct(List<Long> values, int p) {
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private static String text(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private static int option(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
