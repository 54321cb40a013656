package dev.baton.mcp;

import dev.baton.agent.Agent;
import dev.baton.durable.DurableWorker;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.jdbc.SqliteRunStore;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The worker {@link McpCrashTest} kills: {@code <db> <countFile>}. It starts a durable run whose
 * agent calls an MCP server's {@code record_note}, prints {@code after-tool} once the model is asked
 * again (the call is journaled by then), and waits there to be killed.
 */
public final class McpCrashChild {
    private McpCrashChild() {}

    public static void main(String[] args) throws Exception {
        Model model = request -> {
            if (request.lastInput() instanceof ToolOutput) {
                System.out.println("after-tool");
                System.out.flush();
                try {
                    Thread.sleep(Duration.ofMinutes(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("not killed");
            }
            return new ModelResponse(List.of(new ToolCall("call_1", "record_note", "{\"note\":\"refund of INV-9 approved\"}")), Usage.zero());
        };
        try (McpToolProvider notes = McpCrashTest.notes(Path.of(args[1]));
                SqliteRunStore store = SqliteRunStore.open(Path.of(args[0]))) {
            Agent<Object> agent = Agent.builder("billing").toolProviders(notes).build();
            Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
            try (DurableWorker worker = DurableWorker.builder(runner, store).agents(agent).lease(Duration.ofSeconds(1))
                    .pollInterval(Duration.ofMillis(50)).build().start()) {
                System.out.println("run " + worker.startRun(agent, "note the refund").id());
                System.out.flush();
                Thread.sleep(Duration.ofMinutes(5));
            }
        }
    }

}
