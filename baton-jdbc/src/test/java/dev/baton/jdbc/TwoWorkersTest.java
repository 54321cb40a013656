package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two worker JVMs share one PostgreSQL and 200 runs. One is killed with {@code kill -9} in the
 * middle; the other finishes every run, its own and (once their leases expire) the dead one's.
 * Each run completes exactly once: one ledger line per order, and no run's model calls come from
 * two live processes.
 */
@DisplayName("Two workers on one PostgreSQL, one killed")
@Timeout(180)
class TwoWorkersTest {
    @TempDir
    Path dir;

    @Test
    void every_run_completes_exactly_once_when_one_of_two_workers_dies() throws Exception {
        String store = "postgres:" + PostgresServer.createDatabase("workers") + "|" + PostgresServer.user() + "|"
                + PostgresServer.password();
        CrashRecoveryHelper h = new CrashRecoveryHelper(dir);
        List<String> a = new ArrayList<>(List.of("worker", store, dir.toString(), "200", "200"));
        List<String> b = new ArrayList<>(List.of("worker", store, dir.toString(), "200", "200"));
        for (int i = 0; i < 100; i++) {
            a.add("A-" + i + ":" + (10 + i));
            b.add("B-" + i + ":" + (10 + i));
        }
        Process doomed = h.spawn(a);
        Process survivor = h.spawn(b);
        // Kill the doomed worker once it has recorded its 100 runs and they are in flight (each
        // takes three 200 ms model calls), whatever the survivor is doing by then.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (h.lines("started.log").stream().noneMatch(l -> l.equals("started " + doomed.pid()))) {
            assertThat(System.nanoTime()).as("waiting for the doomed worker to start its runs").isLessThan(deadline);
            Thread.sleep(20);
        }
        h.awaitLines("model.log", 20);
        long doomedPid = doomed.pid();
        doomed.destroyForcibly();
        assertThat(doomed.waitFor(10, TimeUnit.SECONDS)).isTrue();

        String out = new String(survivor.getInputStream().readAllBytes());
        assertThat(survivor.waitFor(150, TimeUnit.SECONDS)).isTrue();
        assertThat(survivor.exitValue()).as("survivor output:%n%s", out).isZero();

        List<RunRecord> runs;
        try (CrashDesk.Stores stores = CrashDesk.open(store)) {
            runs = stores.runs().listRuns(RunQuery.all().withLimit(1000));
        }
        assertThat(runs).hasSize(200).allSatisfy(r -> {
            String order = CrashChild.orderOf(r);
            assertThat(r.status()).as("run of %s", order).isEqualTo(RunStatus.COMPLETED);
            assertThat(r.finalOutput()).isEqualTo(CrashDesk.expectedOutput(order, 10 + Integer.parseInt(order.substring(2))));
        });
        Map<String, Integer> ledger = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("ledger.log"))) {
            ledger.merge(line.split(" ")[1], 1, Integer::sum);
        }
        assertThat(ledger).hasSize(200).allSatisfy((order, n) -> assertThat(n).as("refunds of %s", order).isEqualTo(1));

        // Per model call (order and turn): asked at most twice, and twice only if the dead worker asked first.
        Map<String, List<Long>> askers = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("model.log"))) {
            String[] p = line.split(" ");
            askers.computeIfAbsent(p[2], k -> new ArrayList<>()).add(Long.parseLong(p[1]));
        }
        Set<String> repeatedOrders = new HashSet<>();
        askers.forEach((key, pids) -> {
            assertThat(pids.size()).as("askers of %s", key).isLessThanOrEqualTo(2);
            if (pids.size() == 2) {
                assertThat(pids.get(0)).as("first asker of repeated call %s", key).isEqualTo(doomedPid);
                assertThat(repeatedOrders.add(key.split("#")[0])).as("one repeat at most for %s", key).isTrue();
            }
        });
        assertThat(askers.keySet().stream().filter(k -> k.startsWith("A-")).map(k -> askers.get(k))
                .anyMatch(p -> p.contains(survivor.pid()))).as("the survivor took over some of the dead worker's runs").isTrue();
    }
}
