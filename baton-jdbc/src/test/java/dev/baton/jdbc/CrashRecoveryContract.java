package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.durable.RunStatus;
import dev.baton.item.Item;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery with real processes: a child JVM runs durable refunds and is killed with
 * {@code kill -9} at a chosen point; a new JVM resumes every run. Final outputs equal those of
 * uninterrupted runs; completed model and tool calls are not repeated; the call in flight runs at
 * most once more, and the refund ledger (deduplicating by the idempotency key) has one line per
 * order. Subclasses give the store.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(120)
abstract class CrashRecoveryContract {
    @TempDir
    Path dir;

    /** A store spec for {@link CrashDesk#open}, for a store no other test uses. */
    abstract String newStore();

    @Test
    void runs_killed_after_a_model_call_resume_without_asking_the_model_again() throws Exception {
        String store = newStore();
        Process child = start(store, "after-model:4", 0, "O-1:120", "O-2:80", "O-3:60");
        killWhenStopped(child);

        String stoppedKey = lines("stopped-at").get(0);
        Map<String, String> results = results(run("resume", store));

        // The others may have finished before the kill; the stopped run, at least, is resumed.
        assertThat(results).containsKey(stoppedKey.split("#")[0]).allSatisfy((order, line) ->
                assertThat(line).isEqualTo("COMPLETED " + CrashDesk.expectedOutput(order, amount(order))));
        assertThat(completedOutputs(store)).containsOnlyKeys("O-1", "O-2", "O-3");
        assertOnceEach(List.of("O-1", "O-2", "O-3"));
        assertThat(modelCallsPerKey().get(stoppedKey)).as("the recorded call of the stopped run, %s", stoppedKey).isEqualTo(1);
        assertSessionsWhole(store, List.of("O-1", "O-2", "O-3"));
    }

    @Test
    void a_run_killed_in_the_middle_of_a_tool_runs_that_call_once_more_with_the_same_idempotency_key() throws Exception {
        String store = newStore();
        Process child = start(store, "in-tool:1", 0, "O-4:150");
        killWhenStopped(child);

        Map<String, String> results = results(run("resume", store));

        assertThat(results).containsEntry("O-4", "COMPLETED " + CrashDesk.expectedOutput("O-4", 150));
        List<String> invocations = lines("invocations.log");
        assertThat(invocations).hasSize(2);
        assertThat(invocations.get(0).split(" ")[2]).isEqualTo(invocations.get(1).split(" ")[2]);
        assertThat(lines("ledger.log")).hasSize(1);
        assertThat(lines("model.log")).as("three model calls, none repeated").hasSize(3);
        assertSessionsWhole(store, List.of("O-4"));
    }

    @Test
    void a_run_waiting_for_approval_survives_a_kill_and_finishes_when_another_process_approves() throws Exception {
        String store = newStore();
        Process child = start(store, "none", 0, "O-5:450");
        awaitLine(child, "result O-5 PAUSED");
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9 while the run waits for a human

        Map<String, String> results = results(run("approve", store));

        assertThat(results).containsEntry("O-5", "COMPLETED " + CrashDesk.expectedOutput("O-5", 450));
        assertThat(lines("ledger.log")).hasSize(1);
        assertThat(lines("invocations.log")).hasSize(1);
        assertThat(lines("model.log")).hasSize(3);
    }

    @Test
    void many_runs_killed_at_an_arbitrary_moment_all_finish_with_at_most_one_repeat_each() throws Exception {
        String store = newStore();
        List<String> orders = new ArrayList<>();
        String[] args = new String[20];
        for (int i = 0; i < args.length; i++) {
            orders.add("M-" + i);
            args[i] = "M-" + i + ":" + (10 + i);
        }
        Process child = start(store, "none", 15, args);
        awaitLines("model.log", 25);
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        Map<String, String> results = results(run("resume", store));

        for (String order : orders) {
            String line = results.containsKey(order) ? results.get(order) : "taken before the kill";
            if (results.containsKey(order)) {
                assertThat(line).isEqualTo("COMPLETED " + CrashDesk.expectedOutput(order, amount(order)));
            }
        }
        assertThat(completedOutputs(store)).hasSize(20);
        assertOnceEach(orders);
        assertSessionsWhole(store, orders);
    }

    // ---- checks

    /** Per order: one ledger line; at most two invocations; per run at most one model call asked twice. */
    void assertOnceEach(List<String> orders) throws IOException {
        Map<String, Long> ledger = lines("ledger.log").stream().collect(Collectors.groupingBy(l -> l.split(" ")[1], Collectors.counting()));
        Map<String, Long> invocations = lines("invocations.log").stream()
                .collect(Collectors.groupingBy(l -> l.split(" ")[3], Collectors.counting()));
        for (String order : orders) {
            assertThat(ledger.get(order)).as("ledger lines of %s", order).isEqualTo(1L);
            assertThat(invocations.get(order)).as("invocations of %s", order).isBetween(1L, 2L);
        }
        Map<String, Integer> perKey = modelCallsPerKey();
        for (String order : orders) {
            List<Integer> counts = perKey.entrySet().stream().filter(e -> e.getKey().startsWith(order + "#")).map(Map.Entry::getValue).toList();
            assertThat(counts).as("model calls of %s", order).hasSize(3).allSatisfy(c -> assertThat(c).isBetween(1, 2));
            assertThat(counts.stream().filter(c -> c == 2).count()).as("repeated model calls of %s", order).isLessThanOrEqualTo(1);
        }
    }

    /** Each order's session holds exactly the six items of one uninterrupted run. */
    void assertSessionsWhole(String store, List<String> orders) {
        try (CrashDesk.Stores stores = CrashDesk.open(store)) {
            for (String order : orders) {
                List<Item> items = stores.sessions().items("ticket-" + order, 0);
                assertThat(items).as("session of %s", order).hasSize(6);
            }
        }
    }

    Map<String, String> completedOutputs(String store) {
        try (CrashDesk.Stores stores = CrashDesk.open(store)) {
            Map<String, String> out = new HashMap<>();
            stores.runs().listRuns(dev.baton.durable.RunQuery.all().withStatuses(RunStatus.COMPLETED).withLimit(1000))
                    .forEach(r -> out.put(CrashChild.orderOf(r), r.finalOutput()));
            out.forEach((order, output) -> assertThat(output).isEqualTo(CrashDesk.expectedOutput(order, amount(order))));
            return out;
        }
    }

    Map<String, Integer> modelCallsPerKey() throws IOException {
        Map<String, Integer> perKey = new HashMap<>();
        for (String l : lines("model.log")) {
            perKey.merge(l.split(" ")[2], 1, Integer::sum);
        }
        return perKey;
    }

    static int amount(String order) {
        return switch (order) {
            case "O-1" -> 120;
            case "O-2" -> 80;
            case "O-3" -> 60;
            case "O-4" -> 150;
            case "O-5" -> 450;
            default -> 10 + Integer.parseInt(order.substring(2));
        };
    }

    // ---- processes

    Process start(String store, String crash, int delayMillis, String... orders) throws IOException {
        List<String> args = new ArrayList<>(List.of("start", store, dir.toString(), crash, String.valueOf(delayMillis)));
        args.addAll(Arrays.asList(orders));
        return spawn(args);
    }

    String run(String mode, String store) throws Exception {
        Process p = spawn(List.of(mode, store, dir.toString()));
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("exit code of %s; output:%n%s", mode, out).isZero();
        return out;
    }

    Process spawn(List<String> args) throws IOException {
        return new CrashRecoveryHelper(dir).spawn(args);
    }

    void killWhenStopped(Process child) throws Exception {
        awaitLines("ready", 1);
        child.destroyForcibly(); // SIGKILL
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    void awaitLines(String file, int n) throws Exception {
        new CrashRecoveryHelper(dir).awaitLines(file, n);
    }

    static void awaitLine(Process child, String prefix) throws IOException {
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.startsWith(prefix)) {
                return;
            }
        }
        throw new AssertionError("the child ended without printing '" + prefix + "':\n" + seen);
    }

    List<String> lines(String file) throws IOException {
        return new CrashRecoveryHelper(dir).lines(file);
    }

    static Map<String, String> results(String output) {
        Map<String, String> out = new HashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("result ")) {
                String[] p = line.split(" ", 3);
                out.put(p[1], p[2]);
            }
        }
        return out;
    }
}
