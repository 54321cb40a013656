package dev.baton.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.item.Message;
import dev.baton.item.ToolOutput;
import dev.baton.jdbc.SqliteRunStore;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A worker killed with kill -9 after an MCP call was journaled: the worker that takes the run over does not call the server again. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(180)
class McpCrashTest {

    static McpToolProvider notes(Path countFile) {
        List<String> command = NodeServers.changing();
        return McpToolProvider.stdio("notes", command.getFirst(), command.subList(1, command.size()).toArray(String[]::new))
                .env(Map.of("COUNT_FILE", countFile.toString())).allow("record_note").build();
    }

    @Test
    void a_worker_killed_after_an_mcp_call_leaves_a_run_that_completes_elsewhere_without_calling_the_server_again(@TempDir Path dir)
            throws Exception {
        Path db = dir.resolve("runs.db");
        Path calls = dir.resolve("calls.txt");
        NodeServers.installed();
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                McpCrashChild.class.getName(), db.toString(), calls.toString())
                .redirectError(dir.resolve("child.err").toFile()).start();
        String runId = null;
        List<String> seen = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                seen.add(line);
                if (line.startsWith("run ")) {
                    runId = line.substring(4);
                }
                if (line.equals("after-tool")) {
                    break;
                }
            }
            assertThat(seen).as("the child's output; its errors are in " + dir.resolve("child.err")).contains("after-tool");
            child.destroyForcibly(); // kill -9: no shutdown hook, no lease given back
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Files.readAllLines(calls)).containsExactly("refund of INV-9 approved");

        AtomicInteger modelCalls = new AtomicInteger();
        Model survivor = request -> {
            modelCalls.incrementAndGet();
            return new ModelResponse(List.of(Message.assistant("The server said: " + ((ToolOutput) request.lastInput()).output())),
                    Usage.zero());
        };
        try (McpToolProvider notes = notes(calls); SqliteRunStore store = SqliteRunStore.open(db)) {
            Agent<Object> agent = Agent.builder("billing").toolProviders(notes).build();
            Runner runner = Runner.create(RunConfig.builder().defaultModel(survivor).build());
            try (DurableWorker worker = DurableWorker.builder(runner, store).agents(agent).lease(Duration.ofSeconds(1))
                    .pollInterval(Duration.ofMillis(50)).build().start()) {
                // Once the dead worker's lease runs out, this worker takes the run: by resumeIncomplete, or by its own loop.
                String deadOwner = store.findRun(runId).orElseThrow().owner();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (worker.resumeIncomplete().isEmpty() && System.nanoTime() < deadline) {
                    RunRecord now = store.findRun(runId).orElseThrow();
                    if (now.status() != RunStatus.RUNNING || !Objects.equals(now.owner(), deadOwner)) {
                        break;
                    }
                    Thread.sleep(100);
                }
                RunRecord done = worker.attach(runId).result();

                assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(done.finalOutput()).contains("noted: refund of INV-9 approved");
            }
        }
        assertThat(Files.readAllLines(calls)).as("the journaled call is not made again").containsExactly("refund of INV-9 approved");
        assertThat(modelCalls).as("only the model call after the tool").hasValue(1);
    }
}
