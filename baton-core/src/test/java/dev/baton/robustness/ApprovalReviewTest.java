package dev.baton.robustness;

import static dev.baton.robustness.StepModel.call;
import static dev.baton.robustness.StepModel.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailOutput;
import dev.baton.guardrail.InputGuardrail;
import dev.baton.run.RunResult;
import dev.baton.run.RunState;
import dev.baton.run.Runner;
import dev.baton.tool.Tool;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ApprovalReviewTest {

    record Refund(String invoiceId, int amount) {}

    final AtomicInteger refunds = new AtomicInteger();

    Tool<Void> refundTool() {
        return Tool.<Void, Refund>of("process_refund", "Refund an invoice.", Refund.class, (ctx, a) -> {
            refunds.incrementAndGet();
            return "refunded " + a.amount();
        }).requiringApproval();
    }

    @Test
    void an_always_approval_given_inside_an_agent_tool_does_not_stick_for_the_next_call_of_that_agent_tool() {
        StepModel nestedModel = new StepModel(call("process_refund", "{\"invoice_id\":\"A\",\"amount\":300}"), reply("refunded A"),
                call("process_refund", "{\"invoice_id\":\"B\",\"amount\":400}"), reply("refunded B"));
        Agent<Void> billing = Agent.<Void>builder("billing").model(nestedModel).tools(refundTool()).build();
        StepModel deskModel = new StepModel(call("billing_agent", "{\"input\":\"refund A\"}"), call("billing_agent", "{\"input\":\"refund B\"}"),
                reply("both done"));
        Agent<Void> desk = Agent.<Void>builder("desk").model(deskModel)
                .tools(billing.asTool("billing_agent", "Billing specialist")).build();
        Runner runner = Runner.create();

        RunResult paused = runner.run(desk, "refund A and B");
        assertThat(paused.isPaused()).isTrue();
        RunState state = paused.toState().approveAlways(paused.interruptions().get(0).callId());

        RunResult done = runner.resume(desk, state);

        // Top-level tools: approveAlways sticks for the rest of the run. Inside an agent tool it does not.
        assertThat(done.isPaused()).as("paused again on the second refund although it was approved 'always'").isFalse();
        assertThat(refunds).hasValue(2);
    }

    @Test
    void input_guardrail_results_of_the_first_leg_are_lost_on_resume() {
        StepModel model = new StepModel(call("process_refund", "{\"invoice_id\":\"A\",\"amount\":300}"), reply("done"));
        Agent<Void> billing = Agent.<Void>builder("billing").model(model).tools(refundTool())
                .inputGuardrails(InputGuardrail.<Void>of("topic", (c, a, in) -> GuardrailOutput.pass("billing")).blocking())
                .build();
        Runner runner = Runner.create();

        RunResult paused = runner.run(billing, "refund A");
        assertThat(paused.guardrailResults()).hasSize(1);
        RunResult done = runner.resume(billing, paused.toState().approve(paused.interruptions().get(0).callId()));

        assertThat(done.usage().requests()).isEqualTo(2);
        assertThat(done.guardrailResults()).as("the input guardrail's result is in the run result").hasSize(1);
    }
}
