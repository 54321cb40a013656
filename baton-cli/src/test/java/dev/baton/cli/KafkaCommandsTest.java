package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.kafka.KafkaBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented commands of the acme desk on Kafka (docs/kafka.md): a broker, two
 * {@code baton worker} processes sharing one database, and {@code baton chat --runtime kafka} at the
 * console, playing seed 001's conversation with the offline model.
 */
@DisplayName("baton worker and baton chat --runtime kafka")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KafkaCommandsTest {
    private static KafkaBroker broker;

    @TempDir
    Path dir;

    private final List<Process> workers = new ArrayList<>();

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.startWithQuickGroups();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void stopWorkers() throws InterruptedException {
        for (Process p : workers) {
            p.destroy();
        }
        for (Process p : workers) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    @DisplayName("two workers and a console: the seed conversation with handoffs, an approval, tool calls and the operator")
    void the_seed_conversation_on_two_workers_and_a_console() throws Exception {
        String db = dir.resolve("desk.db").toString();
        assertThat(Cli.inProcess(dir, "", "runs", "list", "--db", db, "--create-db").exit()).isZero();
        Worker first = worker("worker-1", db);
        Worker second = worker("worker-2", db);
        first.awaitHosting();
        second.awaitHosting();

        Cli.Result chat = Cli.inProcess(dir, RuntimeChatTest.SEED, "chat", "--desk", "acme", "--runtime", "kafka",
                "--kafka", broker.bootstrapServers(), "--db", db);

        assertThat(chat.exit()).as(chat.toString()).isZero();
        assertThat(chat.out()).contains("runtime on Kafka " + broker.bootstrapServers())
                .contains(RuntimeChatTest.SEED_CONSOLE)
                .contains("Session " + chat.session() + " is saved · continue with: ")
                .contains(" chat --runtime kafka --kafka " + broker.bootstrapServers() + " --db " + db + " --session " + chat.session());
        Cli.Result runs = Cli.inProcess(dir, "", "runs", "list", "--session", chat.session(), "--db", db);
        assertThat(runs.out()).as("each turn is a durable run of the desk, taken by a worker").contains("turn_").contains("acme")
                .contains("triage_agent").contains("issues_and_repairs").contains("human_agent");
        assertThat(first.output() + second.output()).doesNotContain("Exception");

        Cli.Result next = Cli.inProcess(dir, "I want a refund\nexit\n", "chat", "--desk", "acme", "--runtime", "kafka",
                "--kafka", broker.bootstrapServers(), "--db", db);

        assertThat(next.exit()).as(next.toString()).isZero();
        assertThat(next.session()).isNotEqualTo(chat.session());
        assertThat(next.out()).as("the next customer's console is not asked the earlier session's operator questions")
                .contains("[issues_and_repairs]").doesNotContain("(operator)");
    }

    @Test
    @DisplayName("with no broker at the address, baton worker and baton chat --runtime kafka fail with one line naming it")
    void no_broker_answering() throws IOException {
        String nowhere = "127.0.0.1:" + freePort();

        // Both wait for the client timeout; side by side, the test waits once.
        CompletableFuture<Cli.Result> worker = CompletableFuture.supplyAsync(
                () -> Cli.inProcess(dir, "", "worker", "--desk", "acme", "--kafka", nowhere), Executors.newVirtualThreadPerTaskExecutor());
        Cli.Result chat = Cli.inProcess(dir, "hello\n", "chat", "--desk", "acme", "--runtime", "kafka", "--kafka", nowhere);

        worker.join().failsWithOneLine("no Kafka broker answers at " + nowhere);
        chat.failsWithOneLine("no Kafka broker answers at " + nowhere);
    }

    /** A {@code baton worker} in a child JVM, and the file its output goes to. */
    record Worker(String name, Process process, Path log) {
        String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        /** Waits until the worker says it hosts the desk's agents. */
        void awaitHosting() throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!output().contains("Stop with Ctrl-C.")) {
                assertThat(process.isAlive()).as("worker %s is running:%n%s", name, output()).isTrue();
                assertThat(System.nanoTime()).as("worker %s started within 60 s:%n%s", name, output()).isLessThan(deadline);
                Thread.sleep(100);
            }
            assertThat(output()).contains("Baton worker " + name + " · desk acme · Kafka " + broker.bootstrapServers())
                    .contains("Hosting ").contains("triage_agent").contains("human_agent");
        }
    }

    /** Starts {@code baton worker --desk acme --kafka ... --db DB --id NAME} in a child JVM. */
    private Worker worker(String name, String db) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), BatonCli.class.getName(),
                "worker", "--desk", "acme", "--kafka", broker.bootstrapServers(), "--db", db, "--id", name));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = new HashMap<>(pb.environment());
        env.keySet().removeIf(k -> k.startsWith("OPENAI_") || k.startsWith("BATON_"));
        pb.environment().clear();
        pb.environment().putAll(env);
        Path log = dir.resolve(name + ".txt");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process process = pb.start();
        workers.add(process);
        return new Worker(name, process, log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
