package dev.baton.testing;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.callTools;
import static dev.baton.testing.Steps.fail;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reasoning;
import static dev.baton.testing.Steps.refuse;
import static dev.baton.testing.Steps.reply;
import static dev.baton.testing.Steps.respond;
import static dev.baton.testing.Steps.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.baton.ModelCallFailed;
import dev.baton.ModelRefusalError;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.HandoffSpec;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelSettings;
import dev.baton.model.ModelStreamEvent;
import dev.baton.model.ToolSpec;
import dev.baton.model.Usage;
import dev.baton.run.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ScriptedModelTest {

    static ModelRequest request(String agent, Item... input) {
        return ModelRequest.of(agent, "instructions", List.of(input));
    }

    static ModelRequest requestOffering(String agent, HandoffSpec... handoffs) {
        return new ModelRequest(agent, null, List.of(Message.user("help")), List.of(), List.of(handoffs), null,
                ModelSettings.defaults());
    }

    static HandoffSpec handoff(String toolName, String target) {
        return new HandoffSpec(new ToolSpec(toolName, "", JsonNodeFactory.instance.objectNode(), true), target);
    }

    @Nested
    class Scripts {

        @Test
        void steps_for_an_agent_answer_only_that_agents_calls_in_order() {
            ScriptedModel model = ScriptedModel.create()
                    .forAgent("billing_specialist", reply("first billing"), reply("second billing"))
                    .forAgent("support_triage", reply("triage"));

            assertThat(text(model.respond(request("billing_specialist")))).isEqualTo("first billing");
            assertThat(text(model.respond(request("support_triage")))).isEqualTo("triage");
            assertThat(text(model.respond(request("billing_specialist")))).isEqualTo("second billing");
            model.verify();
        }

        @Test
        void the_global_queue_answers_agents_without_steps_of_their_own_left() {
            ScriptedModel model = ScriptedModel.create()
                    .then(reply("global one"), reply("global two"))
                    .forAgent("billing_specialist", reply("billing"));

            assertThat(text(model.respond(request("billing_specialist")))).isEqualTo("billing");
            assertThat(text(model.respond(request("billing_specialist")))).isEqualTo("global one");
            assertThat(text(model.respond(request("anyone")))).isEqualTo("global two");
            model.verify();
        }

        @Test
        void a_tool_call_record_is_serialised_with_snake_case_names() {
            ScriptedModel model = ScriptedModel.create().then(callTool("get_invoice", new Desk.GetInvoice("INV-8821")));

            ToolCall call = (ToolCall) model.respond(request("billing_specialist")).output().get(0);

            assertThat(call.name()).isEqualTo("get_invoice");
            assertThat(call.arguments()).isEqualTo("{\"invoice_id\":\"INV-8821\"}");
        }

        @Test
        void raw_tool_arguments_are_sent_exactly_as_written_even_malformed() {
            ScriptedModel model = ScriptedModel.create().then(callTool("get_invoice", "{\"invoice_id\": \"INV-"));

            ToolCall call = (ToolCall) model.respond(request("billing_specialist")).output().get(0);

            assertThat(call.arguments()).isEqualTo("{\"invoice_id\": \"INV-");
        }

        @Test
        void call_ids_count_up_across_responses() {
            ScriptedModel model = ScriptedModel.create()
                    .then(callTool("a"), callTools(callTool("b"), callTool("c")), callTool("d"));

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                model.respond(request("agent")).output().forEach(item -> ids.add(((ToolCall) item).callId()));
            }

            assertThat(ids).containsExactly("call_1", "call_2", "call_3", "call_4");
        }

        @Test
        void a_response_can_combine_reasoning_a_message_and_calls_in_order() {
            ScriptedModel model = ScriptedModel.create().then(response(
                    reasoning("Need the invoice first."),
                    reply("Let me look that up."),
                    callTool("get_invoice", new Desk.GetInvoice("INV-1")),
                    callTool("get_invoice", new Desk.GetInvoice("INV-2"))));

            List<Item> output = model.respond(request("billing_specialist")).output();

            assertThat(output).containsExactly(
                    new Reasoning("Need the invoice first."),
                    Message.assistant("Let me look that up."),
                    new ToolCall("call_1", "get_invoice", "{\"invoice_id\":\"INV-1\"}"),
                    new ToolCall("call_2", "get_invoice", "{\"invoice_id\":\"INV-2\"}"));
        }

        @Test
        void a_refuse_step_answers_with_a_refusal_that_fails_a_run_with_its_words() {
            ScriptedModel model = ScriptedModel.create()
                    .forAgent("support_triage", handoffTo("billing_specialist"))
                    .forAgent("billing_specialist", refuse("I can't refund a card that isn't yours."));

            assertThatThrownBy(() -> Desk.run(model, "refund my neighbour's card"))
                    .isInstanceOfSatisfying(ModelRefusalError.class, e -> {
                        assertThat(e.agent()).isEqualTo("billing_specialist");
                        assertThat(e.refusal()).isEqualTo("I can't refund a card that isn't yours.");
                    });
            model.verify();
        }

        @Test
        void a_refusal_can_be_part_of_a_response_and_reads_as_its_factory_call() {
            Step step = response(reply("Here is your invoice."), refuse("I can't share the card number."));
            ScriptedModel model = ScriptedModel.create().then(step);

            assertThat(model.respond(request("billing_specialist")).output()).containsExactly(
                    Message.assistant("Here is your invoice."), Message.assistantRefusal("I can't share the card number."));
            assertThat(step).hasToString("response(reply(\"Here is your invoice.\"), refuse(\"I can't share the card number.\"))");
        }

        @Test
        void only_item_steps_can_be_combined_into_one_response() {
            assertThatThrownBy(() -> response(reply("hi"), fail(new IllegalStateException("down"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fail(IllegalStateException: down)");
        }

        @Test
        void a_failure_step_throws_its_exception_from_the_model_call() {
            IllegalStateException outage = new IllegalStateException("provider is down");
            ScriptedModel model = ScriptedModel.create().then(fail(outage));

            assertThatThrownBy(() -> model.respond(request("support_triage"))).isSameAs(outage);
        }

        @Test
        void a_failure_step_fails_a_run_with_the_exception_as_cause() {
            IllegalStateException outage = new IllegalStateException("provider is down");
            ScriptedModel model = ScriptedModel.create().then(fail(outage));

            assertThatThrownBy(() -> Desk.run(model, "hello"))
                    .isInstanceOf(ModelCallFailed.class)
                    .hasCause(outage);
        }

        @Test
        void a_respond_step_computes_the_answer_from_the_request() {
            ScriptedModel model = ScriptedModel.create().then(respond(req -> new ModelResponse(
                    List.of(Message.assistant("You said: " + ((Message) req.lastInput()).text())), Usage.of(7, 3))));

            ModelResponse response = model.respond(request("echo", Message.user("hello")));

            assertThat(text(response)).isEqualTo("You said: hello");
            assertThat(response.usage()).isEqualTo(Usage.of(7, 3));
        }

        @Test
        void an_answering_model_answers_any_number_of_calls_after_its_steps() {
            ScriptedModel model = ScriptedModel.answering(req -> new ModelResponse(List.of(Message.assistant("fallback")), Usage.zero()))
                    .then(reply("scripted"));

            assertThat(text(model.respond(request("a")))).isEqualTo("scripted");
            for (int i = 0; i < 20; i++) {
                assertThat(text(model.respond(request("a")))).isEqualTo("fallback");
            }
            assertThat(model.callCount()).isEqualTo(21);
            model.verify();
        }
    }

    @Nested
    class Handoffs {

        @Test
        void handoffTo_calls_the_transfer_function_offered_for_that_agent() {
            ScriptedModel model = ScriptedModel.create().then(handoffTo("human"));

            List<Item> output = model.respond(requestOffering("support_triage",
                    handoff("transfer_to_billing_specialist", "billing_specialist"),
                    handoff("escalate_to_a_person", "human"))).output();

            assertThat(output).containsExactly(new ToolCall("call_1", "escalate_to_a_person", "{}"));
        }

        @Test
        void handoffTo_can_carry_an_input_record_or_raw_json() {
            record Escalation(String reason, int priority) {}
            ScriptedModel model = ScriptedModel.create()
                    .then(handoffTo("human", new Escalation("angry customer", 1)), handoffTo("human", "{\"reason\":\"x\"}"));
            ModelRequest request = requestOffering("support_triage", handoff("transfer_to_human", "human"));

            assertThat(((ToolCall) model.respond(request).output().get(0)).arguments())
                    .isEqualTo("{\"reason\":\"angry customer\",\"priority\":1}");
            assertThat(((ToolCall) model.respond(request).output().get(0)).arguments()).isEqualTo("{\"reason\":\"x\"}");
        }

        @Test
        void handoffTo_an_agent_not_offered_fails_listing_the_offered_handoffs() {
            ScriptedModel model = ScriptedModel.create().then(handoffTo("refund_specialist"));

            assertThatThrownBy(() -> model.respond(requestOffering("support_triage",
                    handoff("transfer_to_billing_specialist", "billing_specialist"))))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("handoffTo(\"refund_specialist\")")
                    .hasMessageContaining("agent 'support_triage'")
                    .hasMessageContaining("[transfer_to_billing_specialist -> billing_specialist]");
        }

        @Test
        void handoffTo_in_a_request_without_handoffs_says_none_were_offered() {
            ScriptedModel model = ScriptedModel.create().then(handoffTo("billing_specialist"));

            assertThatThrownBy(() -> model.respond(request("technical_specialist")))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Offered handoffs: none");
        }

        @Test
        void a_failed_handoff_inside_a_run_is_reported_again_by_verify() {
            ScriptedModel model = ScriptedModel.create().then(handoffTo("refund_specialist"));

            try {
                Desk.run(model, "refund please");
            } catch (Throwable swallowed) {
                // a runner or application may catch it; verify must still fail the test
            }

            assertThatThrownBy(model::verify)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("ScriptedModel failed during the test")
                    .hasMessageContaining("no handoff to 'refund_specialist'");
        }
    }

    @Nested
    class Verification {

        @Test
        void an_unexpected_call_names_the_agent_the_call_number_and_the_last_input_item() {
            ScriptedModel model = ScriptedModel.create().forAgent("support_triage", reply("hi"));
            model.respond(request("support_triage", Message.user("hello")));

            assertThatThrownBy(() -> model.respond(request("billing_specialist",
                    Message.user("hello"), new ToolOutput("call_7", "{\"amount\":99}"))))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("unexpected call #2")
                    .hasMessageContaining("agent 'billing_specialist'")
                    .hasMessageContaining("last input item: output of call_7: \"{\"amount\":99}\"")
                    .hasMessageContaining("forAgent(\"billing_specialist\", ...)");
        }

        @Test
        void unused_steps_are_listed_per_agent() {
            ScriptedModel model = ScriptedModel.create()
                    .forAgent("support_triage", handoffTo("billing_specialist"))
                    .forAgent("billing_specialist", callTool("get_invoice", new Desk.GetInvoice("INV-8821")), reply("Done."))
                    .then(reply("spare"));
            model.respond(requestOffering("support_triage", handoff("transfer_to_billing_specialist", "billing_specialist")));

            assertThatThrownBy(model::assertAllStepsUsed)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("3 unused steps")
                    .hasMessageContaining("global queue: reply(\"spare\")")
                    .hasMessageContaining("for agent 'billing_specialist': callTool(\"get_invoice\", {\"invoice_id\":\"INV-8821\"}), reply(\"Done.\")")
                    .hasMessageContaining("Calls received: 1 (support_triage x1)");
            assertThat(model.remainingSteps()).containsOnlyKeys("*", "billing_specialist");
        }

        @Test
        void a_fully_used_script_verifies() {
            ScriptedModel model = ScriptedModel.create().then(reply("hi"));
            model.respond(request("a"));

            assertThatCode(model::verify).doesNotThrowAnyException();
        }

        @Test
        void closing_the_model_verifies_it_for_try_with_resources() {
            assertThatThrownBy(() -> {
                try (ScriptedModel model = ScriptedModel.create().then(reply("never used"))) {
                    assertThat(model.callCount()).isZero();
                }
            }).isInstanceOf(AssertionError.class).hasMessageContaining("reply(\"never used\")");
        }

        @Test
        void an_unexpected_call_inside_a_run_surfaces_and_is_reported_again_by_verify() {
            ScriptedModel model = ScriptedModel.create().forAgent("support_triage", handoffTo("billing_specialist"));

            assertThatThrownBy(() -> Desk.run(model, "I was charged twice"))
                    .hasStackTraceContaining("unexpected call #2")
                    .hasStackTraceContaining("agent 'billing_specialist'");
            assertThatThrownBy(model::verify).hasMessageContaining("unexpected call #2");
        }
    }

    @Nested
    class Usages {

        @Test
        void usage_follows_the_documented_token_rule() {
            ScriptedModel model = ScriptedModel.create().then(reply("Refund initiated."));
            ModelRequest request = ModelRequest.of("billing_specialist", "Be brief.", List.of(Message.user("I was charged twice")));

            Usage usage = model.respond(request).usage();

            // instructions "Be brief." 9 chars -> 3; input message 1 + ceil(19/4)=5 -> 6; output 1 + ceil(17/4)=5 -> 6
            assertThat(usage).isEqualTo(Usage.of(9, 6));
            assertThat(usage).isEqualTo(ScriptedUsage.of(request, List.of(Message.assistant("Refund initiated."))));
        }

        @Test
        void input_tokens_grow_with_the_conversation() {
            ScriptedModel model = ScriptedModel.create().then(reply("ok"), reply("ok"));

            long shorter = model.respond(request("a", Message.user("hi"))).usage().inputTokens();
            long longer = model.respond(request("a", Message.user("hi"), Message.assistant("hello"), Message.user("again"))).usage().inputTokens();

            assertThat(longer).isGreaterThan(shorter);
        }

        @Test
        void a_step_can_report_chosen_usage() {
            ScriptedModel model = ScriptedModel.create().then(reply("ok").withUsage(1000, 20));

            assertThat(model.respond(request("a")).usage()).isEqualTo(Usage.of(1000, 20));
        }

        @Test
        void a_run_adds_up_the_usage_of_every_response() {
            ScriptedModel model = ScriptedModel.create()
                    .forAgent("support_triage", handoffTo("billing_specialist").withUsage(10, 1))
                    .forAgent("billing_specialist", reply("Done.").withUsage(20, 2));

            RunResult result = Desk.run(model, "hello");

            assertThat(result.usage().requests()).isEqualTo(2);
            assertThat(result.usage().inputTokens()).isEqualTo(30);
            assertThat(result.usage().outputTokens()).isEqualTo(3);
        }
    }

    @Nested
    class Streaming {

        @Test
        void text_arrives_in_several_deltas_that_spell_the_message() {
            ScriptedModel model = ScriptedModel.create().then(reply("Refund initiated for INV-8821."));
            List<ModelStreamEvent> events = new ArrayList<>();

            ModelResponse response = model.stream(request("billing_specialist"), events::add);

            assertThat(events).allMatch(e -> e instanceof ModelStreamEvent.TextDelta);
            List<String> deltas = events.stream().map(e -> ((ModelStreamEvent.TextDelta) e).text()).toList();
            assertThat(deltas).containsExactly("Refund ", "initiated ", "for ", "INV-8821.");
            assertThat(String.join("", deltas)).isEqualTo(text(response));
        }

        @Test
        void a_refusal_arrives_as_refusal_deltas_never_as_text() {
            ScriptedModel model = ScriptedModel.create().then(refuse("I can't help with that."));
            List<ModelStreamEvent> events = new ArrayList<>();

            ModelResponse response = model.stream(request("billing_specialist"), events::add);

            assertThat(events).isNotEmpty().allMatch(e -> e instanceof ModelStreamEvent.RefusalDelta);
            assertThat(events.stream().map(e -> ((ModelStreamEvent.RefusalDelta) e).text()).collect(Collectors.joining()))
                    .isEqualTo("I can't help with that.");
            assertThat(response.output()).containsExactly(Message.assistantRefusal("I can't help with that."));
        }

        @Test
        void whitespace_is_kept_exactly_in_the_deltas() {
            String text = "  Line one\n\n\tline two  ";

            assertThat(String.join("", StreamChunks.words(text))).isEqualTo(text);
            assertThat(StreamChunks.words("")).isEmpty();
        }

        @Test
        void calls_arrive_as_argument_deltas_under_their_id_and_name() {
            ScriptedModel model = ScriptedModel.create().then(response(reply("Checking."),
                    callTool("get_invoice", "{\"invoice_id\":\"INV-8821\",\"include\":\"lines\"}")));
            List<ModelStreamEvent> events = new ArrayList<>();

            model.stream(request("billing_specialist"), events::add);

            List<ModelStreamEvent.ToolCallDelta> calls = events.stream()
                    .filter(e -> e instanceof ModelStreamEvent.ToolCallDelta)
                    .map(e -> (ModelStreamEvent.ToolCallDelta) e)
                    .toList();
            assertThat(calls).hasSizeGreaterThan(1)
                    .allSatisfy(d -> {
                        assertThat(d.index()).isEqualTo(1);
                        assertThat(d.callId()).isEqualTo("call_1");
                        assertThat(d.name()).isEqualTo("get_invoice");
                    });
            assertThat(calls.stream().map(ModelStreamEvent.ToolCallDelta::argumentsDelta).collect(Collectors.joining()))
                    .isEqualTo("{\"invoice_id\":\"INV-8821\",\"include\":\"lines\"}");
        }

        @Test
        void streaming_returns_exactly_what_responding_would() {
            ScriptedModel responding = ScriptedModel.create().then(response(reply("a b c"), callTool("x", "{\"k\":1}")));
            ScriptedModel streaming = ScriptedModel.create().then(response(reply("a b c"), callTool("x", "{\"k\":1}")));

            ModelResponse expected = responding.respond(request("agent"));
            ModelResponse actual = streaming.stream(request("agent"), event -> { });

            assertThat(actual).isEqualTo(expected);
        }
    }

    @Nested
    class Recording {

        @Test
        void every_request_is_recorded_in_order_and_by_agent() {
            ScriptedModel model = ScriptedModel.create()
                    .forAgent("support_triage", handoffTo("billing_specialist"))
                    .forAgent("billing_specialist", callTool("get_invoice", new Desk.GetInvoice("INV-8821")), reply("Refund initiated for INV-8821."));

            Desk.run(model, "I was charged twice");

            assertThat(model.requests()).extracting(ModelRequest::agent)
                    .containsExactly("support_triage", "billing_specialist", "billing_specialist");
            assertThat(model.requestsFor("billing_specialist")).hasSize(2);
            assertThat(model.requestsFor("support_triage").get(0).handoffs())
                    .extracting(HandoffSpec::targetAgent).contains("billing_specialist");
            assertThat(model.lastRequest().lastInput()).isInstanceOfSatisfying(ToolOutput.class,
                    out -> assertThat(out.output()).contains("\"amount\":99"));
            assertThat(model.lastRequest().tools()).extracting(ToolSpec::name).contains("get_invoice");
            model.verify();
        }

        @Test
        void lastRequest_of_a_model_never_called_fails_clearly() {
            assertThatThrownBy(() -> ScriptedModel.create().lastRequest())
                    .isInstanceOf(AssertionError.class)
                    .hasMessage("ScriptedModel was never called");
        }

        @Test
        void concurrent_calls_each_take_one_step_and_are_all_recorded() throws Exception {
            int calls = 200;
            ScriptedModel model = ScriptedModel.create();
            IntStream.range(0, calls).forEach(i -> model.then(callTool("tool_" + i)));
            Set<String> callIds = ConcurrentHashMap.newKeySet();
            Set<String> tools = ConcurrentHashMap.newKeySet();

            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < 8; t++) {
                    threads.submit(() -> {
                        for (int i = 0; i < calls / 8; i++) {
                            ToolCall call = (ToolCall) model.respond(request("agent")).output().get(0);
                            callIds.add(call.callId());
                            tools.add(call.name());
                        }
                        return null;
                    });
                }
            }

            assertThat(model.requests()).hasSize(calls);
            assertThat(callIds).hasSize(calls);
            assertThat(tools).hasSize(calls);
            model.verify();
        }
    }

    private static String text(ModelResponse response) {
        return response.output().stream()
                .filter(i -> i instanceof Message)
                .map(i -> ((Message) i).text())
                .collect(Collectors.joining());
    }
}
