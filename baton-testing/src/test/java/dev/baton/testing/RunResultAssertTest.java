package dev.baton.testing;

import static dev.baton.testing.BatonAssertions.assertThat;
import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.run.RunResult;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RunResultAssertTest {

    /** Triage hands to billing, billing looks up INV-8821 and answers. */
    static RunResult refundRun() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("support_triage", handoffTo("billing_specialist"))
                .forAgent("billing_specialist",
                        callTool("get_invoice", new Desk.GetInvoice("INV-8821")),
                        reply("Refund initiated for INV-8821."));
        RunResult result = Desk.run(model, "I was charged twice for INV-8821");
        model.verify();
        return result;
    }

    /** Triage answers by itself. */
    static RunResult directRun() {
        return Desk.run(ScriptedModel.create().then(reply("Our office opens at 9.")), "When do you open?");
    }

    /** Billing's refund tool fails, billing apologises. */
    static RunResult failingToolRun() {
        return Desk.run(ScriptedModel.create()
                .forAgent("support_triage", handoffTo("billing_specialist"))
                .forAgent("billing_specialist",
                        callTool("issue_refund", new Desk.IssueRefund("INV-8821", 9900)),
                        reply("Sorry, refunds are unavailable right now.")), "Refund INV-8821");
    }

    /** Triage hands to billing, billing to technical support. */
    static RunResult twoHandoffsRun() {
        return Desk.run(ScriptedModel.create()
                .forAgent("support_triage", handoffTo("billing_specialist"))
                .forAgent("billing_specialist", handoffTo("technical_specialist"))
                .forAgent("technical_specialist", reply("Please restart the router.")), "My internet is down");
    }

    /** A failing assertion: an AssertionError whose message holds {@code expected} and the run's transcript. */
    static void failsExplaining(Executable assertion, String expected) {
        assertThatThrownBy(assertion::execute)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(expected)
                .hasMessageContaining("Run transcript, run ")
                .hasMessageContaining("  1. support_triage");
    }

    @Nested
    class A_full_refund_run {
        final RunResult result = refundRun();

        @Test
        void passes_every_assertion_that_describes_it() {
            assertThatCode(() -> assertThat(result)
                    .completed()
                    .handedOffTo("billing_specialist")
                    .usedTool("get_invoice")
                    .usedTool("get_invoice", new Desk.GetInvoice("INV-8821"))
                    .usedTool("get_invoice", "{ \"invoice_id\" : \"INV-8821\" }")
                    .didNotUseTool("issue_refund")
                    .noErrors()
                    .lastAgent("billing_specialist")
                    .turns(3)
                    .finalOutputContains("Refund initiated")
                    .finalOutputMatches("Refund initiated for INV-\\d+\\.")
                    .finalOutputIsEqualTo("Refund initiated for INV-8821."))
                    .doesNotThrowAnyException();
        }

        @Test
        void toolOutput_asserts_on_what_the_tool_returned() {
            assertThat(result).toolOutput("get_invoice")
                    .contains("\"amount\":99")
                    .contains("\"status\":\"paid\"");
        }

        @Test
        void handedOffTo_fails_on_another_target_or_order() {
            failsExplaining(() -> assertThat(result).handedOffTo("technical_specialist"),
                    "Expected the run to hand off to [technical_specialist] (in that order), but it handed off to [billing_specialist]");
            failsExplaining(() -> assertThat(result).handedOffTo("billing_specialist", "technical_specialist"),
                    "but it handed off to [billing_specialist]");
        }

        @Test
        void noHandoffs_fails_naming_the_handoffs() {
            failsExplaining(() -> assertThat(result).noHandoffs(),
                    "Expected the run not to hand off, but it handed off to [billing_specialist]");
        }

        @Test
        void usedTool_fails_for_a_tool_never_called_listing_the_tools_called() {
            failsExplaining(() -> assertThat(result).usedTool("issue_refund"),
                    "Expected the run to call tool 'issue_refund', but it was never called; tools called: [get_invoice]");
        }

        @Test
        void usedTool_with_arguments_fails_on_other_arguments_showing_the_actual_ones() {
            failsExplaining(() -> assertThat(result).usedTool("get_invoice", new Desk.GetInvoice("INV-0001")),
                    "Expected the run to call tool 'get_invoice' with {\"invoice_id\":\"INV-0001\"}, but it was called with [{\"invoice_id\":\"INV-8821\"}]");
            failsExplaining(() -> assertThat(result).usedTool("get_invoice", "{\"invoice_id\":\"INV-8821\",\"extra\":true}"),
                    "but it was called with");
        }

        @Test
        void didNotUseTool_fails_showing_the_calls() {
            failsExplaining(() -> assertThat(result).didNotUseTool("get_invoice"),
                    "Expected the run not to call tool 'get_invoice', but it called it 1 time with [{\"invoice_id\":\"INV-8821\"}]");
        }

        @Test
        void final_output_assertions_fail_showing_the_output() {
            failsExplaining(() -> assertThat(result).finalOutputContains("Sorry"),
                    "Expected the final output to contain \"Sorry\", but it is \"Refund initiated for INV-8821.\"");
            failsExplaining(() -> assertThat(result).finalOutputMatches("Refund"),
                    "Expected the final output to match /Refund/");
            failsExplaining(() -> assertThat(result).finalOutputIsEqualTo("Refund initiated."),
                    "Expected the final output to be \"Refund initiated.\", but it is \"Refund initiated for INV-8821.\"");
        }

        @Test
        void lastAgent_and_turns_fail_showing_the_actual_values() {
            failsExplaining(() -> assertThat(result).lastAgent("support_triage"),
                    "Expected the last agent to be 'support_triage', but it is 'billing_specialist'");
            failsExplaining(() -> assertThat(result).turns(2), "Expected the run to take 2 turns, but it took 3");
        }

        @Test
        void toolOutput_fails_for_a_tool_never_called() {
            failsExplaining(() -> assertThat(result).toolOutput("issue_refund"),
                    "Expected an output of tool 'issue_refund', but the tool was never called");
        }

        @Test
        void toolOutput_failures_name_the_tool_and_call() {
            assertThatThrownBy(() -> assertThat(result).toolOutput("get_invoice").contains("refunded"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("output of tool 'get_invoice' (call call_2)");
        }

        @Test
        void the_transcript_shows_one_line_per_item() {
            assertThatThrownBy(() -> assertThat(result).noHandoffs())
                    .hasMessageContaining("last agent billing_specialist, 3 turns, final output \"Refund initiated for INV-8821.\"")
                    .hasMessageContaining("support_triage      handoff_call    transfer_to_billing_specialist({}) [call_1]")
                    .hasMessageContaining("support_triage      handoff_output  -> billing_specialist")
                    .hasMessageContaining("billing_specialist  tool_call       get_invoice({\"invoice_id\":\"INV-8821\"}) [call_2]")
                    .hasMessageContaining("billing_specialist  tool_output     get_invoice: ")
                    .hasMessageContaining("billing_specialist  message         \"Refund initiated for INV-8821.\"");
        }

        @Test
        void a_description_set_with_as_prefixes_the_failure() {
            assertThatThrownBy(() -> assertThat(result).as("refund flow").lastAgent("support_triage"))
                    .hasMessageContaining("[refund flow]");
        }
    }

    @Nested
    class A_run_without_handoffs {
        final RunResult result = directRun();

        @Test
        void passes_noHandoffs_and_an_empty_handedOffTo() {
            assertThat(result).noHandoffs().handedOffTo().lastAgent("support_triage").turns(1).completed();
        }

        @Test
        void handedOffTo_fails_saying_there_were_none() {
            failsExplaining(() -> assertThat(result).handedOffTo("billing_specialist"), "but it handed off to []");
        }

        @Test
        void usedTool_fails_saying_no_tools_were_called() {
            failsExplaining(() -> assertThat(result).usedTool("get_invoice", new Desk.GetInvoice("INV-8821")),
                    "but it was never called; tools called: []");
        }
    }

    @Nested
    class A_run_whose_tool_failed {
        final RunResult result = failingToolRun();

        @Test
        void noErrors_fails_quoting_the_error_output() {
            failsExplaining(() -> assertThat(result).noErrors(), "Expected no tool errors, but 1 call failed: ");
            assertThatThrownBy(() -> assertThat(result).noErrors())
                    .hasMessageContaining("payments service unavailable")
                    .hasMessageContaining("tool_error");
        }

        @Test
        void toolOutput_shows_the_error_text_the_model_read() {
            assertThat(result).usedTool("issue_refund", new Desk.IssueRefund("INV-8821", 9900))
                    .toolOutput("issue_refund").contains("payments service unavailable");
        }
    }

    @Nested
    class A_run_with_two_handoffs {
        final RunResult result = twoHandoffsRun();

        @Test
        void handedOffTo_checks_the_exact_sequence() {
            assertThat(result).handedOffTo("billing_specialist", "technical_specialist").lastAgent("technical_specialist");
            failsExplaining(() -> assertThat(result).handedOffTo("technical_specialist", "billing_specialist"),
                    "but it handed off to [billing_specialist, technical_specialist]");
            failsExplaining(() -> assertThat(result).handedOffTo("billing_specialist"),
                    "but it handed off to [billing_specialist, technical_specialist]");
        }
    }

    @Test
    void completed_fails_for_a_run_that_answered_nothing() {
        RunResult blank = Desk.run(ScriptedModel.create().then(reply("  ")), "Hello?");

        failsExplaining(() -> assertThat(blank).completed(), "Expected the run to have a final output, but it has \"  \"");
    }

    @Test
    void assertions_on_a_null_result_fail_plainly() {
        assertThatThrownBy(() -> assertThat((RunResult) null).completed())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expecting actual not to be null");
    }
}
