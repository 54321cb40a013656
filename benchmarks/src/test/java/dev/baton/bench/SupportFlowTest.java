package dev.baton.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.item.Message;
import dev.baton.item.RunItem;
import dev.baton.run.RunConfig;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The benchmark's scenario does what both implementations are measured doing. */
@DisplayName("The support-flow benchmark scenario")
class SupportFlowTest {

    @Test
    void hands_to_billing_looks_up_the_invoice_then_answers() {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(new SupportFlow.ScriptModel(0)).build());

        RunResult result = runner.run(SupportFlow.triage(), SupportFlow.INPUT);

        assertThat(SupportFlow.check(result)).isTrue();
        assertThat(result.turns()).isEqualTo(3);
        assertThat(result.newItems()).extracting(i -> i.getClass().getSimpleName()).containsExactly(
                "HandoffCallItem", "HandoffOutputItem", "ToolCallItem", "ToolOutputItem", "MessageItem");
        assertThat(((RunItem.ToolOutputItem) result.newItems().get(3)).output().output())
                .isEqualTo("{\"id\":\"INV-8821\",\"amount\":99,\"status\":\"paid\"}");
        assertThat(result.newItems().get(4).toItem()).isEqualTo(Message.assistant(SupportFlow.ANSWER));
    }

    @Test
    void the_check_rejects_a_run_that_stayed_with_triage() {
        Runner runner = Runner.create(RunConfig.builder()
                .defaultModel(request -> new dev.baton.model.ModelResponse(
                        java.util.List.of(Message.assistant("Refund? Ask billing.")), dev.baton.model.Usage.of(1, 1)))
                .build());

        assertThat(SupportFlow.check(runner.run(SupportFlow.triage(), SupportFlow.INPUT))).isFalse();
    }

    @Test
    void the_in_flight_model_waits_before_each_answer() {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(new SupportFlow.ScriptModel(20)).build());
        long start = System.nanoTime();

        RunResult result = runner.run(SupportFlow.triage(), SupportFlow.INPUT);

        assertThat(SupportFlow.check(result)).isTrue();
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(60);
    }
}
