package dev.baton.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.InMemoryRunStore;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A durable run that called an MCP server's tool and stopped: the worker that takes it over reads the recorded result. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(120)
class McpDurableReplayTest {

    private static McpToolProvider notes(Path countFile) {
        List<String> command = NodeServers.changing();
        return McpToolProvider.stdio("notes", command.getFirst(), command.subList(1, command.size()).toArray(String[]::new))
                .env(Map.of("COUNT_FILE", countFile.toString())).allow("record_note").build();
    }

    @Test
    void a_run_taken_over_after_an_mcp_call_replays_the_recorded_result_and_does_not_call_the_server_again(@TempDir Path dir)
            throws Exception {
        Path calls = dir.resolve("calls.txt");
        InMemoryRunStore store = new InMemoryRunStore();
        CountDownLatch afterTheCall = new CountDownLatch(1);
        Model dying = request -> {
            if (!(request.lastInput() instanceof ToolOutput)) {
                return new ModelResponse(List.of(new ToolCall("call_1", "record_note", "{\"note\":\"refund of INV-9 approved\"}")), Usage.zero());
            }
            afterTheCall.countDown();
            try {
                Thread.sleep(Duration.ofMinutes(5)); // the process goes away here, the MCP call recorded
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("stopped");
        };
        AtomicInteger survivorCalls = new AtomicInteger();
        Model survivor = request -> {
            survivorCalls.incrementAndGet();
            String read = ((ToolOutput) request.lastInput()).output();
            return new ModelResponse(List.of(Message.assistant("The server said: " + read)), Usage.zero());
        };

        String runId;
        try (McpToolProvider server = notes(calls)) {
            Agent<Object> agent = Agent.builder("billing").toolProviders(server).build();
            DurableWorker first = worker(dying, store, agent);
            RunHandle run = first.startRun(agent, "note the refund");
            runId = run.id();
            assertThat(afterTheCall.await(60, TimeUnit.SECONDS)).isTrue();
            first.close();
            assertThat(store.findRun(runId).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        }

        try (McpToolProvider server = notes(calls)) { // the server started again, as by another process
            Agent<Object> agent = Agent.builder("billing").toolProviders(server).build();
            try (DurableWorker second = worker(survivor, store, agent)) {
                second.resumeIncomplete();
                RunRecord done = second.attach(runId).result();

                assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(done.finalOutput()).contains("noted: refund of INV-9 approved");
            }
        }
        assertThat(Files.readAllLines(calls)).as("the server was called once").containsExactly("refund of INV-9 approved");
        assertThat(survivorCalls).as("only the model call after the tool").hasValue(1);
    }

    private static DurableWorker worker(Model model, InMemoryRunStore store, Agent<Object> agent) {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
        return DurableWorker.builder(runner, store).agents(agent).lease(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(20))
                .build().start();
    }
}
