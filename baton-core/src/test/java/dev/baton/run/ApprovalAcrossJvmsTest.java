package dev.baton.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.tool.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refund approval across two JVMs: the first process pauses on the approval and writes the run's
 * state; a second process reads it, approves, and finishes. The refund runs exactly once.
 */
@DisplayName("Approval across two JVMs")
class ApprovalAcrossJvmsTest {

    record Refund(String invoiceId, int amount) {}

    /** The same agent definition in both processes; each refund appends a line to the ledger file. */
    static Agent<Path> billing() {
        Tool<Path> refund = Tool.<Path, Refund>of("process_refund", "Refund an invoice.", Refund.class, (ctx, a) -> {
            Files.writeString(ctx.context(), a.invoiceId() + " " + a.amount() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return "refunded " + a.invoiceId();
        }).requiringApproval();
        return Agent.<Path>builder("billing_specialist").instructions("Refund when asked.").tools(refund).build();
    }

    /** Asks for the refund, then confirms once it has the tool's output. */
    static Model model() {
        return request -> request.lastInput() instanceof Message
                ? new ModelResponse(List.of(new ToolCall("call_refund_1", "process_refund", "{\"invoice_id\":\"INV-8821\",\"amount\":450}")), Usage.of(10, 5))
                : new ModelResponse(List.of(Message.assistant("Refund done for INV-8821.")), Usage.of(10, 5));
    }

    /** First process: runs until the approval, writes the state, exits. */
    public static final class Pause {
        public static void main(String[] args) throws IOException {
            Path state = Path.of(args[0]);
            Path ledger = Path.of(args[1]);
            RunResult result = Runner.create(RunConfig.builder().defaultModel(model()).build())
                    .run(billing(), "Refund INV-8821, $450 please", RunOptions.context(ledger));
            if (!result.isPaused()) {
                System.exit(3);
            }
            Files.writeString(state, result.toState().toJson());
        }
    }

    /** Second process: reads the state, approves every pending call, finishes the run. */
    public static final class Approve {
        public static void main(String[] args) throws IOException {
            RunState state = RunState.fromJson(Files.readString(Path.of(args[0])));
            state.pendingApprovals().forEach(r -> state.approve(r.callId()));
            RunResult result = Runner.create(RunConfig.builder().defaultModel(model()).build())
                    .resume(billing(), state, RunOptions.context(Path.of(args[1])));
            Files.writeString(Path.of(args[2]), result.finalOutputText() + "|" + result.runId() + "|" + result.newItems().size());
        }
    }

    static void runJava(Class<?> main, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("exit code of %s; output:%n%s", main.getSimpleName(), output).isZero();
    }

    @Test
    void the_second_jvm_approves_and_finishes_and_the_refund_runs_once(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("state.json");
        Path ledger = dir.resolve("ledger.txt");
        Path out = dir.resolve("out.txt");

        runJava(Pause.class, state.toString(), ledger.toString());

        assertThat(state).exists();
        assertThat(ledger).doesNotExist();
        String runId = RunState.fromJson(Files.readString(state)).runId();

        runJava(Approve.class, state.toString(), ledger.toString(), out.toString());

        assertThat(Files.readAllLines(ledger)).containsExactly("INV-8821 450");
        assertThat(Files.readString(out)).isEqualTo("Refund done for INV-8821.|" + runId + "|3");
    }
}
