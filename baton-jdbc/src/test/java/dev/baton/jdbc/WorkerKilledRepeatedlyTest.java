package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two workers share one PostgreSQL and 1,000 runs, and one of them is killed with {@code kill -9}
 * four times: each time it is started again at once, with runs of its own to start, while the
 * runs of the worker that died are still in flight. Every run completes exactly once, a call is
 * asked again only after the process that asked it first was dead, and a call whose answer was
 * journaled is never asked again.
 *
 * <p>The children are {@link CrashChild} workers running the {@link CrashDesk} refund desk, which
 * logs every model call ({@code model.log}) and tool invocation ({@code invocations.log}) with the
 * asking process; the test writes a {@code killed <pid>} line to both logs as soon as it has seen a
 * worker die, so the logs order every ask against every death.
 */
@DisplayName("Two workers on one PostgreSQL, one killed again and again")
@Timeout(150)
class WorkerKilledRepeatedlyTest {
    private static final int SURVIVOR_RUNS = 500;
    private static final int INCARNATIONS = 5;
    private static final int RUNS_PER_INCARNATION = 100;
    private static final int TOTAL = SURVIVOR_RUNS + INCARNATIONS * RUNS_PER_INCARNATION;
    private static final String MODEL_DELAY_MS = "200";
    /**
     * Run leases of 5 s (heartbeats every 1.7 s): a dead worker's runs wait that long to be taken
     * over. A lease must outlast the worst delay between two heartbeats of a live worker; with
     * hundreds of runs per worker on a busy 2-core machine, 1.5 s does not (see durable-runs.md).
     */
    private static final List<String> JVM_OPTIONS = List.of("-Dbaton.crash.lease-ms=5000");

    @TempDir
    Path dir;

    @Test
    void every_run_completes_exactly_once_and_no_call_is_asked_by_two_live_processes() throws Exception {
        String store = "postgres:" + PostgresServer.createDatabase("killed") + "|" + PostgresServer.user() + "|"
                + PostgresServer.password();
        CrashRecoveryHelper h = new CrashRecoveryHelper(dir);
        Map<String, Integer> amounts = new LinkedHashMap<>();

        List<String> survivorArgs = worker(store);
        for (int i = 0; i < SURVIVOR_RUNS; i++) {
            survivorArgs.add(order("B-" + i, 10 + i % 100, amounts));
        }
        Child survivor = Child.of(h.spawn(JVM_OPTIONS, survivorArgs));

        // The other worker: each incarnation starts 100 runs of its own and works; the first four are
        // killed once their own runs are under way (20 model calls answered), the fifth lives.
        Set<Long> killed = new HashSet<>();
        Child last = null;
        for (int k = 1; k <= INCARNATIONS; k++) {
            List<String> args = worker(store);
            for (int i = 0; i < RUNS_PER_INCARNATION; i++) {
                args.add(order("A" + k + "-" + i, 10 + i, amounts));
            }
            Child child = Child.of(h.spawn(JVM_OPTIONS, args));
            if (k == INCARNATIONS) {
                last = child;
                break;
            }
            long pid = child.process().pid();
            awaitLine(h, "started.log", "started " + pid);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (h.lines("model.log").stream().filter(l -> l.startsWith("model " + pid + " ")).count() < 20) {
                assertThat(child.process().isAlive()).as("incarnation %d alive; output:%n%s", k, child.output()).isTrue();
                assertThat(System.nanoTime()).as("waiting for incarnation %d's model calls", k).isLessThan(deadline);
                Thread.sleep(20);
            }
            child.process().destroyForcibly();
            assertThat(child.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
            killed.add(pid);
            for (String log : List.of("model.log", "invocations.log")) {
                Files.writeString(dir.resolve(log), "killed " + pid + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }

        for (Child c : List.of(survivor, last)) {
            assertThat(c.process().waitFor(120, TimeUnit.SECONDS)).as("worker %d ends", c.process().pid()).isTrue();
            assertThat(c.process().exitValue()).as("worker output:%n%s", c.output()).isZero();
        }

        // Every run completed once, with its own refund.
        List<RunRecord> runs;
        try (CrashDesk.Stores stores = CrashDesk.open(store)) {
            runs = stores.runs().listRuns(RunQuery.all().withLimit(TOTAL + 1));
        }
        assertThat(runs).hasSize(TOTAL);
        assertThat(runs.stream().map(CrashChild::orderOf)).doesNotHaveDuplicates().hasSize(TOTAL);
        assertThat(runs).allSatisfy(r -> {
            String order = CrashChild.orderOf(r);
            assertThat(r.status()).as("run of %s", order).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.finalOutput()).as("output of %s", order).isEqualTo(CrashDesk.expectedOutput(order, amounts.get(order)));
        });
        Map<String, Integer> ledger = new HashMap<>();
        for (String line : h.lines("ledger.log")) {
            ledger.merge(line.split(" ")[1], 1, Integer::sum);
        }
        assertThat(ledger.keySet()).containsExactlyInAnyOrderElementsOf(amounts.keySet());
        assertThat(ledger).allSatisfy((order, n) -> assertThat(n).as("refunds of %s", order).isEqualTo(1));

        // Model calls (order#turn) and tool invocations (idempotency key): asked again only by another
        // process, after the one before it was seen dead; a call answered and journaled (its asker went
        // on to a later turn of the same run) is never asked again.
        List<Ask> modelAsks = asks(h.lines("model.log"), 1, 2);
        assertRepeatsOnlyAfterDeath(modelAsks, killed);
        Map<String, List<Ask>> byOrder = new HashMap<>();
        for (Ask a : modelAsks.stream().filter(a -> a.key() != null).toList()) {
            byOrder.computeIfAbsent(a.key().split("#")[0], o -> new ArrayList<>()).add(a);
        }
        byOrder.forEach((order, asks) -> {
            for (Ask a : asks) {
                int turn = turn(a);
                boolean wentOn = asks.stream().anyMatch(b -> b.pid() == a.pid() && turn(b) > turn);
                if (wentOn) {
                    assertThat(asks.stream().filter(b -> b.key().equals(a.key()) && b.line() > a.line()).count())
                            .as("asks of %s after %d answered it and went on (the run's asks: %s; killed: %s)", a.key(), a.pid(), asks, killed)
                            .isZero();
                }
            }
        });
        assertRepeatsOnlyAfterDeath(asks(h.lines("invocations.log"), 1, 2), killed);

        // Each killed incarnation left runs in flight that another process finished.
        for (long pid : killed) {
            assertThat(byOrder.values().stream().anyMatch(asks -> asks.stream().anyMatch(a -> a.pid() == pid)
                    && asks.stream().anyMatch(a -> a.pid() != pid && a.line() > firstLineOf(asks, pid))))
                    .as("another process took over a run of killed worker %d", pid).isTrue();
        }
    }

    /** One ask of a log: a model call or a tool invocation, by {@code pid}, at {@code line}; or a death when key is null. */
    private record Ask(int line, long pid, String key) {}

    private static List<Ask> asks(List<String> lines, int pidField, int keyField) {
        List<Ask> asks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] p = lines.get(i).split(" ");
            asks.add(p[0].equals("killed") ? new Ask(i, Long.parseLong(p[1]), null) : new Ask(i, Long.parseLong(p[pidField]), p[keyField]));
        }
        return asks;
    }

    /** Each repeated key: every asker but the last is a killed process, seen dead before the next one asked. */
    private static void assertRepeatsOnlyAfterDeath(List<Ask> log, Set<Long> killed) {
        Map<Long, Integer> deathLine = new HashMap<>();
        Map<String, List<Ask>> byKey = new LinkedHashMap<>();
        for (Ask a : log) {
            if (a.key() == null) {
                deathLine.put(a.pid(), a.line());
            } else {
                byKey.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(a);
            }
        }
        assertThat(deathLine.keySet()).isEqualTo(killed);
        byKey.forEach((key, asks) -> {
            for (int i = 0; i + 1 < asks.size(); i++) {
                Ask earlier = asks.get(i);
                Ask later = asks.get(i + 1);
                assertThat(killed).as("%s asked by %d, then again by %d: the first must have been killed", key, earlier.pid(),
                        later.pid()).contains(earlier.pid());
                assertThat(deathLine.get(earlier.pid())).as("%s asked again by %d before %d was seen dead", key, later.pid(),
                        earlier.pid()).isLessThan(later.line());
            }
        });
    }

    private static int turn(Ask a) {
        return Integer.parseInt(a.key().split("#")[1]);
    }

    private static int firstLineOf(List<Ask> asks, long pid) {
        return asks.stream().filter(a -> a.pid() == pid).mapToInt(Ask::line).min().orElseThrow();
    }

    private List<String> worker(String store) {
        return new ArrayList<>(List.of("worker", store, dir.toString(), MODEL_DELAY_MS, String.valueOf(TOTAL)));
    }

    private static String order(String id, int amount, Map<String, Integer> amounts) {
        amounts.put(id, amount);
        return id + ":" + amount;
    }

    private static void awaitLine(CrashRecoveryHelper h, String file, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!h.lines(file).contains(line)) {
            assertThat(System.nanoTime()).as("waiting for '%s' in %s", line, file).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** A child JVM whose output is read as it comes, so that it never blocks on a full pipe. */
    private record Child(Process process, ByteArrayOutputStream buffer) {
        static Child of(Process process) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            Thread.ofVirtual().start(() -> {
                try (InputStream in = process.getInputStream()) {
                    byte[] chunk = new byte[8192];
                    for (int n; (n = in.read(chunk)) >= 0; ) {
                        synchronized (buffer) {
                            buffer.write(chunk, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // The process was killed: what it wrote before is in the buffer.
                }
            });
            return new Child(process, buffer);
        }

        String output() {
            synchronized (buffer) {
                return buffer.toString();
            }
        }
    }
}
