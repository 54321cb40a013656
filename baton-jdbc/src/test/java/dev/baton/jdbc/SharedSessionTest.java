package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.session.SessionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two chat processes (real child JVMs, two threads each) run 100 refunds each on one session
 * of one store. The session has one owner at a time across both: afterwards it holds whole turns
 * in order, no call id twice, and every refund was issued exactly once.
 */
@DisplayName("Two processes on one session")
@Timeout(120)
class SharedSessionTest {
    private static final int RUNS = 100;

    @TempDir
    Path dir;

    @Test
    @DisplayName("on one SQLite file take turns: whole turns, each refund once")
    void two_processes_on_one_sqlite_file_take_turns() throws Exception {
        Path file = dir.resolve("baton.db");
        SqliteSessionStore.open(file).close(); // migrated once, before both processes open it
        chatFromTwoProcesses("sqlite:" + file);
    }

    @Test
    @DisplayName("on one PostgreSQL take turns: whole turns, each refund once")
    void two_processes_on_one_postgres_take_turns() throws Exception {
        chatFromTwoProcesses("postgres:" + PostgresServer.createDatabase("chat") + "|" + PostgresServer.user() + "|"
                + PostgresServer.password());
    }

    private void chatFromTwoProcesses(String store) throws Exception {
        Process a = spawn(store, "A");
        Process b = spawn(store, "B");
        CompletableFuture<String> outA = output(a);
        CompletableFuture<String> outB = output(b);
        awaitReady(a);
        awaitReady(b);
        Files.createFile(dir.resolve("go"));

        assertThat(a.waitFor(100, TimeUnit.SECONDS) && b.waitFor(100, TimeUnit.SECONDS)).as("both processes ended").isTrue();
        assertThat(a.exitValue()).as("process A:%n%s", outA.get()).isZero();
        assertThat(b.exitValue()).as("process B:%n%s", outB.get()).isZero();

        List<Item> items;
        SessionStore sessions = SessionChatChild.open(store);
        try {
            items = sessions.items("chat", 0);
            assertThat(sessions.lease("chat")).as("nobody holds the session any more").isEmpty();
        } finally {
            ((AutoCloseable) sessions).close();
        }
        assertThat(SessionChatChild.malformed(items)).as("what a model would reject").isNull();
        assertThat(items).hasSize(2 * RUNS * 4);
        List<String> invoices = new ArrayList<>();
        for (int t = 0; t < items.size(); t += 4) {
            String invoice = ((Message) items.get(t)).text().substring("refund ".length());
            invoices.add(invoice);
            assertThat(items.subList(t, t + 4)).as("turn %d", t / 4).containsExactly(
                    Message.user("refund " + invoice),
                    new ToolCall("call_" + invoice, "issue_refund", "{\"invoice\":\"" + invoice + "\"}"),
                    new ToolOutput("call_" + invoice, "refunded " + invoice),
                    Message.assistant("Refunded " + invoice + "."));
        }
        assertThat(invoices).doesNotHaveDuplicates().hasSize(2 * RUNS)
                .anyMatch(i -> i.startsWith("INV-A-")).anyMatch(i -> i.startsWith("INV-B-"));
        Map<String, Integer> refunds = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("refunds.log"))) {
            refunds.merge(line.split(" ")[0], 1, Integer::sum);
        }
        assertThat(refunds).hasSize(2 * RUNS).allSatisfy((invoice, n) -> assertThat(n).as("refunds of %s", invoice).isEqualTo(1));
    }

    private Process spawn(String store, String name) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                SessionChatChild.class.getName(), store, dir.toString(), name, String.valueOf(RUNS))
                .redirectErrorStream(true).start();
    }

    /** Everything the process prints, collected until it ends. */
    private static CompletableFuture<String> output(Process p) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes());
            } catch (IOException e) {
                return "(output unreadable: " + e + ")";
            }
        });
    }

    private void awaitReady(Process p) throws InterruptedException {
        // The child creates ready-<pid> once its store is open, so both start their runs together.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.isAlive() && !readyFile(p)) {
            assertThat(System.nanoTime()).as("waiting for process %d to be ready", p.pid()).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private boolean readyFile(Process p) {
        return Files.exists(dir.resolve("ready-" + p.pid()));
    }
}
