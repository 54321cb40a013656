package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.MaxTurnsExceeded;
import dev.baton.durable.RecordedEvent;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.item.Message;
import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.run.RunEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("baton runs show says what each recorded event did")
class RunsShowCommandTest {
    private static final Instant AT = Instant.parse("2025-03-04T05:06:07Z");

    @Test
    void a_failed_run_shows_the_failure_type_and_message() {
        RunEvent failed = new RunEvent.RunFailed("run_1", 7, "billing", AT, new MaxTurnsExceeded(10));

        assertThat(RunsShowCommand.summary(failed))
                .isEqualTo("MaxTurnsExceeded: Run exceeded max turns (10) without a final output");
    }

    @Test
    void a_tool_call_shows_the_tool_and_its_arguments() {
        RunEvent called = new RunEvent.ToolCalled("run_1", 4, "billing", AT,
                new RunItem.ToolCallItem("billing", new ToolCall("call_1", "get_invoice", "{\"invoice_id\":\"INV-8821\"}", null)));

        assertThat(RunsShowCommand.summary(called)).isEqualTo("get_invoice {\"invoice_id\":\"INV-8821\"}");
    }

    @Test
    void a_guardrail_shows_whether_it_tripped_and_its_info() {
        RunEvent checked = new RunEvent.GuardrailChecked("run_1", 1, "triage", AT,
                new GuardrailResult("priority", GuardrailResult.Kind.INPUT, "triage", null, true, Map.of("priority", "P1")));

        assertThat(RunsShowCommand.summary(checked)).isEqualTo("priority tripped: {\"priority\":\"P1\"}");
    }

    @Test
    void a_refusal_is_shown_as_declining() {
        RunEvent refused = new RunEvent.MessageOutput("run_1", 5, "billing", AT,
                new RunItem.MessageItem("billing", Message.assistantRefusal("I cannot share other customers' invoices.")));

        assertThat(RunsShowCommand.summary(refused)).isEqualTo("(declines) I cannot share other customers' invoices.");
    }

    @Test
    void a_nested_event_names_the_tool_and_the_path_of_agents() {
        RunEvent nested = new RunEvent.Nested("call_2", "research", List.of("triage", "researcher"),
                new RunEvent.TurnStarted("run_n", 2, "researcher", AT, 1));

        assertThat(RunsShowCommand.summary(nested)).isEqualTo("in research (triage > researcher): turn 1");
    }

    @Test
    void an_event_this_version_cannot_read_shows_its_recorded_data() {
        RecordedEvent future = new RecordedEvent("run_1", 3, "AgentSlept", "triage", AT, "{\"minutes\":5}");

        assertThat(RunsShowCommand.summary(future)).isEqualTo("(not readable by this version of baton) {\"minutes\":5}");
    }
}
