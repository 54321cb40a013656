package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.items;
import static dev.baton.run.Script.reply;
import static dev.baton.run.Script.toolCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.ToolCallFailed;
import dev.baton.agent.Agent;
import dev.baton.item.RunItem;
import dev.baton.schema.InvalidArgumentsException;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolError;
import dev.baton.tool.ToolFailureMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Tool failure modes")
class ToolFailureModeTest {

    record Refund(String invoiceId) {}

    record NoArgs() {}

    static Tool<Void> refund() {
        return Tool.<Void, Refund>of("process_refund", "Refund an invoice.", Refund.class, (ctx, args) -> {
            throw new IllegalStateException("payment gateway unavailable");
        });
    }

    @Test
    @DisplayName("by default a failed call is reported to the model and the run goes on")
    void report_to_model_is_the_default() {
        Tool<Void> tool = refund();
        Script model = new Script(call("process_refund", "{\"invoice_id\":\"INV-1\"}"), reply("Refunds are down, sorry."));

        RunResult result = Runner.create().run(Agent.<Void>builder("billing").tools(tool).build(), "refund INV-1",
                RunOptions.<Void>none().withModel(model));

        assertThat(tool.failureMode()).isEqualTo(ToolFailureMode.REPORT_TO_MODEL);
        assertThat(Tool.builder("t").parameters(NoArgs.class).invoker((ctx, json) -> "").build().failureMode())
                .isEqualTo(ToolFailureMode.REPORT_TO_MODEL);
        assertThat(result.finalOutput()).isEqualTo("Refunds are down, sorry.");
        assertThat(result.newItems()).filteredOn(i -> i instanceof RunItem.ToolOutputItem o && o.error()).hasSize(1);
    }

    @Test
    @DisplayName("a raising tool that throws fails the run with ToolCallFailed: tool, call, cause and the items so far")
    void a_raising_tool_fails_the_run() {
        Tool<Void> tool = refund().withFailureMode(ToolFailureMode.RAISE);
        var refundCall = toolCall("process_refund", "{\"invoice_id\":\"INV-1\"}");
        Script model = new Script(items(refundCall));
        List<RunEvent> events = new ArrayList<>();

        ToolCallFailed failure = catchThrowableOfType(ToolCallFailed.class, () -> Runner.create().run(
                Agent.<Void>builder("billing").tools(tool).build(), "refund INV-1",
                RunOptions.<Void>none().withModel(model).withListener(events::add)));

        assertThat(failure).isNotNull();
        assertThat(failure.toolName()).isEqualTo("process_refund");
        assertThat(failure.callId()).isEqualTo(refundCall.callId());
        assertThat(failure.kind()).isEqualTo(ToolError.Kind.FAILED);
        assertThat(failure).hasMessageContaining("process_refund").hasMessageContaining("billing")
                .hasMessageContaining("payment gateway unavailable");
        assertThat(failure.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("payment gateway unavailable");
        assertThat(failure.runId()).isEqualTo(events.get(0).runId());
        assertThat(failure.lastAgent()).isEqualTo("billing");
        assertThat(failure.items()).singleElement().isInstanceOf(RunItem.ToolCallItem.class);
        assertThat(failure.rawResponses()).hasSize(1);
        assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(RunEvent.RunFailed.class,
                f -> assertThat(f.error()).isSameAs(failure));
        assertThat(model.calls()).as("the model is not asked again").isEqualTo(1);
    }

    @Test
    @DisplayName("a raising tool fails the run on invalid arguments too, with the binding error as cause")
    void invalid_arguments_raise() {
        Tool<Void> tool = refund().withFailureMode(ToolFailureMode.RAISE);
        Script model = new Script(call("process_refund", "{\"invoice\":\"INV-1\"}"));

        ToolCallFailed failure = catchThrowableOfType(ToolCallFailed.class, () -> Runner.create().run(
                Agent.<Void>builder("billing").tools(tool).build(), "refund", RunOptions.<Void>none().withModel(model)));

        assertThat(failure).isNotNull();
        assertThat(failure.kind()).isEqualTo(ToolError.Kind.INVALID_ARGUMENTS);
        assertThat(failure.getCause()).isInstanceOf(InvalidArgumentsException.class);
        assertThat(failure).hasMessageContaining("invalid arguments").hasMessageContaining("invoice_id");
    }

    @Test
    @DisplayName("a raising tool past its timeout fails the run, and the call is interrupted")
    void a_timeout_raises() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        Tool<Void> slow = Tool.<Void, NoArgs>of("slow", "", NoArgs.class, (ctx, args) -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return "late";
        }).withTimeout(Duration.ofMillis(50)).withFailureMode(ToolFailureMode.RAISE);

        ToolCallFailed failure = catchThrowableOfType(ToolCallFailed.class, () -> Runner.create().run(
                Agent.<Void>builder("a").tools(slow).build(), "go", RunOptions.<Void>none().withModel(new Script(call("slow", "{}")))));

        assertThat(failure).isNotNull();
        assertThat(failure.kind()).isEqualTo(ToolError.Kind.TIMED_OUT);
        assertThat(failure.getCause()).isInstanceOf(TimeoutException.class);
        assertThat(failure).hasMessageContaining("timed out").hasMessageContaining("50 ms");
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    @DisplayName("in a turn with several calls, one raising call fails the run and only that tool's mode matters")
    void one_raising_call_among_several() {
        Tool<Void> lookup = Tool.<Void, NoArgs>of("lookup", "", NoArgs.class, (ctx, args) -> "found");
        Tool<Void> tool = refund().withFailureMode(ToolFailureMode.RAISE);
        var refundCall = toolCall("process_refund", "{\"invoice_id\":\"INV-1\"}");
        Script model = new Script(items(toolCall("lookup", "{}"), refundCall));

        ToolCallFailed failure = catchThrowableOfType(ToolCallFailed.class, () -> Runner.create().run(
                Agent.<Void>builder("billing").tools(lookup, tool).build(), "go", RunOptions.<Void>none().withModel(model)));

        assertThat(failure).isNotNull();
        assertThat(failure.callId()).isEqualTo(refundCall.callId());
        assertThat(failure.items()).hasSize(2).allMatch(i -> i instanceof RunItem.ToolCallItem);
    }

    @Test
    @DisplayName("the failure mode is kept by the other withers, and can be set back")
    void the_mode_survives_copies() {
        Tool<Void> raising = refund().withFailureMode(ToolFailureMode.RAISE);

        assertThat(raising.withTimeout(Duration.ofSeconds(1)).withDescription("d").failureMode()).isEqualTo(ToolFailureMode.RAISE);
        assertThat(raising.toBuilder().build().failureMode()).isEqualTo(ToolFailureMode.RAISE);
        assertThat(raising.withFailureMode(ToolFailureMode.REPORT_TO_MODEL).failureMode()).isEqualTo(ToolFailureMode.REPORT_TO_MODEL);
        assertThat(refund().failureMode()).isEqualTo(ToolFailureMode.REPORT_TO_MODEL);
    }
}
