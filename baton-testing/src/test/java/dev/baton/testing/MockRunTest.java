package dev.baton.testing;

import static dev.baton.testing.BatonAssertions.expect;
import static dev.baton.testing.MockEvent.done;
import static dev.baton.testing.MockEvent.handoff;
import static dev.baton.testing.MockEvent.step;
import static dev.baton.testing.MockEvent.toolCall;
import static dev.baton.testing.MockEvent.turn;
import static dev.baton.testing.MockRun.mockRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.ModelCallFailed;
import dev.baton.agent.Agent;
import dev.baton.handoff.Handoff;
import dev.baton.item.RunItem;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.session.Session;
import dev.baton.tool.Tool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("mockRun and expect")
class MockRunTest {

    record Customer(String id) {}

    record GetInvoice(String invoiceId) {}

    record Invoice(String id, String customer, int amount, String status) {}

    record ProcessRefund(String invoiceId, int amountCents) {}

    record Escalation(String reason) {}

    /** Triage routes to billing or to a human; billing looks invoices up and refunds with approval. */
    static final class SupportDesk {
        final List<String> escalations = new CopyOnWriteArrayList<>();

        final Tool<Customer> getInvoice = Tool.of("get_invoice", "Fetch an invoice by id.", GetInvoice.class,
                (ctx, args) -> new Invoice(args.invoiceId(), ctx.context() == null ? "unknown" : ctx.context().id(), 99, "charged twice"));

        final Tool<Customer> processRefund = Tool.<Customer, ProcessRefund>of("process_refund", "Refund an invoice.",
                ProcessRefund.class, (ctx, args) -> "refunded " + args.amountCents()).requiringApproval();

        final Agent<Customer> human = Agent.<Customer>builder("human_agent")
                .handoffDescription("A person, for anything the desk cannot settle.")
                .instructions("You are a person.")
                .build();

        final Agent<Customer> billing = Agent.<Customer>builder("billing_specialist")
                .handoffDescription("Invoices, charges, refunds.")
                .instructions("Look up the invoice before you answer.")
                .tools(getInvoice, processRefund)
                .build();

        final Agent<Customer> triage = Agent.<Customer>builder("support_triage")
                .instructions("Route the customer to the right specialist.")
                .handoffs(billing, Handoff.to(human).inputType(Escalation.class)
                        .onHandoff((ctx, escalation) -> escalations.add(escalation.reason())))
                .build();
    }

    final SupportDesk desk = new SupportDesk();

    @Nested
    @DisplayName("mockRun")
    class MockRuns {

        @Test
        @DisplayName("runs a support-desk handoff flow on the real loop: the handoff, the tool and the answer are the run's own")
        void support_desk_flow() {
            Agent<Customer> triage = desk.triage;
            // As printed in docs/concepts.md, "mockRun: a run scripted by events".
            RunResult result = mockRun(triage, "I was charged twice for INV-8821",
                    handoff("billing_specialist"),
                    toolCall("get_invoice", new GetInvoice("INV-8821")),
                    done("Refund initiated."));

            expect(result).completed()
                    .agentPath("support_triage", "billing_specialist")
                    .usedTool("get_invoice", new GetInvoice("INV-8821"))
                    .lastAgent("billing_specialist")
                    .finalOutputIsEqualTo("Refund initiated.");

            expect(result).handedOffTo("billing_specialist").didNotUseTool("process_refund").turns(3)
                    .toolOutput("get_invoice").contains("\"status\":\"charged twice\"");
        }

        @Test
        @DisplayName("passes the options to the run: the tools see the context object")
        void options_reach_the_run() {
            RunResult result = mockRun(desk.triage, "Where is INV-8821?", RunOptions.context(new Customer("C-1001")),
                    handoff("billing_specialist"),
                    toolCall("get_invoice", new GetInvoice("INV-8821")),
                    done("It is paid."));

            expect(result).toolOutput("get_invoice").contains("\"customer\":\"C-1001\"");
        }

        @Test
        @DisplayName("continues a session on the same runner: the next message goes to the specialist holding it")
        void session_continues_with_the_specialist() {
            Runner runner = Runner.create();
            RunOptions<Customer> ticket = RunOptions.session("ticket-42");
            mockRun(runner, desk.triage, "I was charged twice", ticket,
                    handoff("billing_specialist"),
                    done("Which invoice?"));

            RunResult next = mockRun(runner, desk.triage, "INV-8821", ticket,
                    toolCall("get_invoice", new GetInvoice("INV-8821")),
                    done("Refund initiated."));

            expect(next).agentPath("billing_specialist").noHandoffs().usedTool("get_invoice").lastAgent("billing_specialist");
        }

        @Test
        @DisplayName("continues a Session object across mock runs on fresh runners")
        void session_object_continues() {
            Session session = Session.inMemory("ticket-7");
            mockRun(desk.triage, "I was charged twice", RunOptions.<Customer>none().withSession(session),
                    handoff("billing_specialist"), done("Which invoice?"));

            RunResult next = mockRun(desk.triage, "INV-8821", RunOptions.<Customer>none().withSession(session),
                    done("Thanks, looking at INV-8821."));

            expect(next).agentPath("billing_specialist").lastAgent("billing_specialist");
        }

        @Test
        @DisplayName("takes tool arguments as a record, a Map or JSON text, all giving the same call")
        void arguments_as_record_map_or_json() {
            for (Object arguments : List.of(new GetInvoice("INV-8821"), Map.of("invoice_id", "INV-8821"),
                    "{\"invoice_id\": \"INV-8821\"}")) {
                RunResult result = mockRun(desk.billing, "Where is INV-8821?",
                        toolCall("get_invoice", arguments), done("It is paid."));

                expect(result).usedTool("get_invoice", "{\"invoice_id\":\"INV-8821\"}");
            }
        }

        @Test
        @DisplayName("scripts several tool calls in one turn, run as one batch before the next model call")
        void several_tool_calls_in_one_turn() {
            RunResult result = mockRun(desk.billing, "Compare INV-1 and INV-2",
                    turn(toolCall("get_invoice", new GetInvoice("INV-1")), toolCall("get_invoice", new GetInvoice("INV-2"))),
                    done("Both were charged twice."));

            expect(result).usedTool("get_invoice", new GetInvoice("INV-1"))
                    .usedTool("get_invoice", new GetInvoice("INV-2"))
                    .turns(2)
                    .completed();
            assertThat(result.newItems()).filteredOn(i -> i instanceof RunItem.ToolOutputItem).hasSize(2);
        }

        @Test
        @DisplayName("hands off with an input record, which reaches the handoff's callback")
        void handoff_with_input() {
            RunResult result = mockRun(desk.triage, "I want to speak to a person",
                    handoff("human_agent", new Escalation("asked for a person")),
                    done("A colleague will call you."));

            expect(result).handedOffTo("human_agent").lastAgent("human_agent");
            assertThat(desk.escalations).containsExactly("asked for a person");
        }

        @Test
        @DisplayName("ends in a pause when a tool needs approval; expect sees what is waiting")
        void pauses_for_approval() {
            RunResult result = mockRun(desk.billing, "Refund INV-8821",
                    toolCall("process_refund", new ProcessRefund("INV-8821", 9900)));

            expect(result).paused().awaitingApproval("process_refund").lastAgent("billing_specialist");
            assertThat(result.interruptions()).singleElement()
                    .satisfies(r -> assertThat(r.arguments()).isEqualTo("{\"invoice_id\":\"INV-8821\",\"amount_cents\":9900}"));
        }

        @Test
        @DisplayName("lets any ScriptedModel step stand for a model call, such as a provider failure")
        void a_scripted_step_as_an_event() {
            assertThatThrownBy(() -> mockRun(desk.triage, "Hello?",
                    step(Steps.fail(new IllegalStateException("rate limited")))))
                    .isInstanceOf(ModelCallFailed.class)
                    .hasMessageContaining("rate limited");
        }

        @Test
        @DisplayName("replaces the runner's default model for every agent: only the events answer")
        void the_events_are_the_model() {
            Runner runner = Runner.create(dev.baton.run.RunConfig.builder()
                    .defaultModel(ScriptedModel.create()).build());

            RunResult result = mockRun(runner, desk.triage, "Hi", RunOptions.none(), done("Hello!"));

            expect(result).finalOutputIsEqualTo("Hello!");
        }
    }

    @Nested
    @DisplayName("when the script and the run disagree")
    class Disagreements {

        @Test
        @DisplayName("a handoff the active agent does not offer fails, naming the event, the agent and the handoffs it offers")
        void handoff_not_offered() {
            assertThatThrownBy(() -> mockRun(desk.triage, "My router is broken",
                    handoff("technical_specialist"), done("Restart it.")))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("mockRun event #1 of 2 failed: handoff(\"technical_specialist\") was scripted for a call "
                            + "from agent 'support_triage', but that request offers no handoff to 'technical_specialist'.")
                    .hasMessageContaining("Offered handoffs: [transfer_to_billing_specialist -> billing_specialist, "
                            + "transfer_to_human_agent -> human_agent]")
                    .hasMessageContaining("#1 handoff(\"technical_specialist\")  by support_triage")
                    .hasMessageContaining("#2 done(\"Restart it.\")  (not used)");
        }

        @Test
        @DisplayName("an agent that offers no handoffs at all says so")
        void handoff_from_an_agent_without_handoffs() {
            assertThatThrownBy(() -> mockRun(desk.billing, "Can I talk to a person?", handoff("human_agent")))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("from agent 'billing_specialist', but that request offers no handoff to 'human_agent'. "
                            + "Offered handoffs: none");
        }

        @Test
        @DisplayName("a model call after the last event fails, naming the agent, what it read last, and the events")
        void script_runs_out() {
            assertThatThrownBy(() -> mockRun(desk.triage, "I was charged twice for INV-8821",
                    handoff("billing_specialist"),
                    toolCall("get_invoice", new GetInvoice("INV-8821"))))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("mockRun: the model of agent 'billing_specialist' was called again after all 2 events were used")
                    .hasMessageContaining("with last input output of call_2: \"{\"id\":\"INV-8821\"")
                    .hasMessageContaining("#1 handoff(\"billing_specialist\")  by support_triage")
                    .hasMessageContaining("#2 toolCall(\"get_invoice\", {\"invoice_id\":\"INV-8821\"})  by billing_specialist")
                    .hasMessageContaining("Add an event for what billing_specialist's model does next, such as done(\"...\").");
        }

        @Test
        @DisplayName("events left when the run finishes fail, naming them and showing the transcript")
        void events_left_over() {
            assertThatThrownBy(() -> mockRun(desk.triage, "When do you open?",
                    done("At 9."), handoff("billing_specialist"), done("Billing here.")))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("mockRun: the run finished with agent 'support_triage' answering \"At 9.\" after event #1, "
                            + "so events #2 to #3 were never used.")
                    .hasMessageContaining("#2 handoff(\"billing_specialist\")  (not used)")
                    .hasMessageContaining("Run transcript, run ")
                    .hasMessageContaining("support_triage  message         \"At 9.\"");
        }

        @Test
        @DisplayName("events left when the run pauses for approval fail, naming the call that waits")
        void events_left_at_a_pause() {
            assertThatThrownBy(() -> mockRun(desk.billing, "Refund INV-8821",
                    toolCall("process_refund", new ProcessRefund("INV-8821", 9900)),
                    done("Refunded.")))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("mockRun: the run paused awaiting approval of "
                            + "[process_refund({\"invoice_id\":\"INV-8821\",\"amount_cents\":9900}) [call_1] by billing_specialist] "
                            + "after event #1, so event #2 was never used.");
        }

        @Test
        @DisplayName("a mistake in an event is rejected where the test writes it")
        void bad_events_are_rejected_when_written() {
            assertThatThrownBy(() -> toolCall("get_invoice", "{\"invoice_id\": INV-8821}"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("toolCall(\"get_invoice\") arguments: not valid JSON: {\"invoice_id\": INV-8821}");
            assertThatThrownBy(() -> toolCall("get_invoice", List.of("INV-8821")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("toolCall(\"get_invoice\") arguments: not a JSON object (such as a record or a Map) but an array: "
                            + "[\"INV-8821\"]");
            assertThatThrownBy(() -> handoff("human_agent", "\"a person\""))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("handoff(\"human_agent\") input: not a JSON object");
            assertThatThrownBy(() -> toolCall(" "))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("The tool name must not be blank");
            assertThatThrownBy(() -> turn(toolCall("get_invoice"), done("Done.")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("turn(...) takes only toolCall(...) and handoff(...) events, but part 2 is done(\"Done.\"); "
                            + "a final answer is an event of its own");
        }

        @Test
        @DisplayName("a mock run with no events, or with a model chosen in its options, is refused")
        void bad_runs_are_refused() {
            assertThatThrownBy(() -> mockRun(desk.triage, "Hello?"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("mockRun needs at least one event");
            assertThatThrownBy(() -> mockRun(desk.triage, "Hello?", RunOptions.<Customer>none().withModel("gpt-4.1"), done("Hi")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("mockRun scripts the model of every agent from its events; the options choose the model 'gpt-4.1', "
                            + "remove withModel(...) from them");
        }
    }

    @Nested
    @DisplayName("expect")
    class Expect {
        final RunResult refund = mockRun(desk.triage, "I was charged twice for INV-8821",
                handoff("billing_specialist"),
                toolCall("get_invoice", new GetInvoice("INV-8821")),
                done("Refund initiated."));

        final RunResult paused = mockRun(desk.billing, "Refund INV-8821",
                toolCall("process_refund", new ProcessRefund("INV-8821", 9900)));

        @Test
        @DisplayName("passes on a run it describes, with the same checks as assertThat")
        void passes() {
            assertThatCode(() -> expect(refund).completed()
                    .handedOffTo("billing_specialist")
                    .agentPath("support_triage", "billing_specialist")
                    .usedTool("get_invoice")
                    .didNotUseTool("process_refund")
                    .finalOutputSatisfies("mentions a refund", text -> text.contains("Refund"))
                    .lastAgent("billing_specialist"))
                    .doesNotThrowAnyException();
        }

        @Test
        @DisplayName("completed() on a paused run names the call that waits for approval")
        void completed_on_a_paused_run() {
            assertThatThrownBy(() -> expect(paused).completed())
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Expected the run to complete, but it paused awaiting approval of "
                            + "[process_refund({\"invoice_id\":\"INV-8821\",\"amount_cents\":9900}) [call_1] by billing_specialist]")
                    .hasMessageContaining("Run transcript, ");
        }

        @Test
        @DisplayName("paused() on a finished run says who answered what")
        void paused_on_a_finished_run() {
            assertThatThrownBy(() -> expect(refund).paused())
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Expected the run to pause for approval, but it completed with agent 'billing_specialist' "
                            + "answering \"Refund initiated.\"");
            assertThatThrownBy(() -> expect(refund).awaitingApproval("process_refund"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Expected the run to pause for approval, but it completed");
        }

        @Test
        @DisplayName("awaitingApproval(tool) names the calls that do wait")
        void awaiting_another_tool() {
            assertThatThrownBy(() -> expect(paused).awaitingApproval("issue_credit"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Expected the run to await approval of tool 'issue_credit', but it awaits approval of "
                            + "[process_refund(");
        }

        @Test
        @DisplayName("agentPath shows the path the conversation took")
        void agent_path_mismatch() {
            assertThatThrownBy(() -> expect(refund).agentPath("support_triage", "human_agent"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Expected the conversation to go support_triage -> human_agent, "
                            + "but it went support_triage -> billing_specialist");
        }

        @Test
        @DisplayName("usedTool and handedOffTo say which tools and handoffs the run did use")
        void tool_and_handoff_mismatch() {
            assertThatThrownBy(() -> expect(refund).usedTool("process_refund"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Expected the run to call tool 'process_refund', but it was never called; "
                            + "tools called: [get_invoice]");
            assertThatThrownBy(() -> expect(refund).handedOffTo("human_agent"))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("but it handed off to [billing_specialist]");
        }

        @Test
        @DisplayName("finalOutputSatisfies names the condition and quotes the output")
        void final_output_condition() {
            assertThatThrownBy(() -> expect(refund).finalOutputSatisfies("apologises", text -> text.contains("sorry")))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Expected the final output to satisfy \"apologises\", but it is \"Refund initiated.\"");
        }
    }
}
