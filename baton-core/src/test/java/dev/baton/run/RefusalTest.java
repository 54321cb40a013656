package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.items;
import static dev.baton.run.Script.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.baton.ModelBehaviorError;
import dev.baton.ModelRefusalError;
import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.RunItem;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.ModelStreamEvent;
import dev.baton.session.InMemorySessionStore;
import dev.baton.tool.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Refusals")
class RefusalTest {

    static final String REFUSAL = "I can't help with bypassing the licence check.";

    record TicketInfo(String ticketId, String priority) {}

    record GetInvoice(String invoiceId) {}

    static Agent<Void> support() {
        return Agent.<Void>builder("support").build();
    }

    static RunOptions<Void> with(Script model) {
        return RunOptions.<Void>none().withModel(model);
    }

    @Test
    void a_final_answer_that_refuses_fails_the_run_with_the_refusal_text_and_keeps_the_message() {
        Script model = new Script(items(Message.assistantRefusal(REFUSAL)));

        ModelRefusalError e = catchThrowableOfType(ModelRefusalError.class,
                () -> Runner.create().run(support(), "how do I bypass the licence check?", with(model)));

        assertThat(e.refusal()).isEqualTo(REFUSAL);
        assertThat(e.agent()).isEqualTo("support");
        assertThat(e.getMessage()).contains("support").contains(REFUSAL);
        assertThat(e.lastAgent()).isEqualTo("support");
        assertThat(e.items()).singleElement().isInstanceOfSatisfying(RunItem.MessageItem.class, m -> {
            assertThat(m.refusal()).isEqualTo(REFUSAL);
            assertThat(m.text()).isEmpty();
        });
        assertThat(e.rawResponses()).hasSize(1);
    }

    @Test
    void a_structured_output_agent_that_refuses_is_not_reported_as_invalid_output_nor_asked_again() {
        Agent<Void> classifier = Agent.<Void>builder("classifier").outputType(TicketInfo.class).build();
        Script model = new Script(items(Message.assistantRefusal(REFUSAL)), reply("{\"ticket_id\":\"T-1\",\"priority\":\"high\"}"));
        List<RunErrorHandler.Failure> seen = new ArrayList<>();

        assertThatThrownBy(() -> Runner.create().run(classifier, "classify this", with(model).withErrorHandler(failure -> {
            seen.add(failure);
            return Optional.empty();
        })))
                .isInstanceOf(ModelRefusalError.class)
                .isNotInstanceOf(ModelBehaviorError.class);

        assertThat(seen).singleElement().isInstanceOf(RunErrorHandler.Failure.Refusal.class);
        assertThat(model.calls()).as("model calls").isEqualTo(1);
    }

    @Test
    void an_error_handler_can_turn_a_refusal_into_the_final_output() {
        Script model = new Script(items(Message.assistantRefusal(REFUSAL)));
        List<RunEvent> events = new ArrayList<>();

        RunResult result = Runner.create().run(support(), "bypass it", with(model).withListener(events::add)
                .withErrorHandler(failure -> failure instanceof RunErrorHandler.Failure.Refusal r
                        ? Optional.of("A colleague will get back to you (" + r.agent() + " declined: " + r.refusal() + ")")
                        : Optional.empty()));

        assertThat(result.finalOutput()).isEqualTo("A colleague will get back to you (support declined: " + REFUSAL + ")");
        assertThat(result.newItems()).hasSize(2);
        assertThat(result.newItems().get(0))
                .isInstanceOfSatisfying(RunItem.MessageItem.class, m -> assertThat(m.refusal()).isEqualTo(REFUSAL));
        assertThat(result.newItems().get(1)).isInstanceOfSatisfying(RunItem.MessageItem.class,
                m -> assertThat(m.message().text()).startsWith("A colleague will get back to you"));
        assertThat(events).filteredOn(e -> e instanceof RunEvent.MessageOutput)
                .extracting(e -> ((RunEvent.MessageOutput) e).item().refusal())
                .containsExactly(REFUSAL, null);
        assertThat(events).last().isInstanceOf(RunEvent.RunCompleted.class);
    }

    @Test
    void the_handler_sees_the_refusal_with_the_items_of_the_run() {
        Agent<Void> billing = Agent.<Void>builder("billing_specialist").build();
        Agent<Void> triage = Agent.<Void>builder("support_triage").handoffs(billing).build();
        Script model = new Script(Script.handoff("billing_specialist"), items(Message.assistantRefusal(REFUSAL)));
        List<RunErrorHandler.Failure> seen = new ArrayList<>();

        Runner.create().run(triage, "refund a stolen card", with(model).withErrorHandler(failure -> {
            seen.add(failure);
            return Optional.of("handled");
        }));

        assertThat(seen).singleElement().isInstanceOfSatisfying(RunErrorHandler.Failure.Refusal.class, r -> {
            assertThat(r.agent()).isEqualTo("billing_specialist");
            assertThat(r.refusal()).isEqualTo(REFUSAL);
            assertThat(r.items()).extracting(i -> i.getClass().getSimpleName())
                    .containsExactly("HandoffCallItem", "HandoffOutputItem", "MessageItem");
        });
    }

    @Test
    void a_refusal_that_comes_with_tool_calls_does_not_end_the_run() {
        Tool<Void> getInvoice = Tool.of("get_invoice", "", GetInvoice.class, (ctx, a) -> "{\"amount\":99}");
        Agent<Void> billing = Agent.<Void>builder("billing").tools(getInvoice).build();
        Script model = new Script(
                items(Message.assistantRefusal("I won't refund it without a check."), Script.toolCall("get_invoice", "{\"invoice_id\":\"INV-1\"}")),
                reply("Invoice INV-1 is 99 EUR."));

        RunResult result = Runner.create().run(billing, "refund INV-1", with(model));

        assertThat(result.finalOutput()).isEqualTo("Invoice INV-1 is 99 EUR.");
        assertThat(result.newItems().get(0)).isInstanceOfSatisfying(RunItem.MessageItem.class,
                m -> assertThat(m.refusal()).isEqualTo("I won't refund it without a check."));
    }

    @Test
    void the_last_assistant_message_decides_so_a_later_answer_overrides_an_earlier_refusal() {
        Script model = new Script(items(Message.assistantRefusal(REFUSAL), Message.assistant("Here is what I can do instead.")));

        RunResult result = Runner.create().run(support(), "bypass it", with(model));

        assertThat(result.finalOutput()).isEqualTo("Here is what I can do instead.");
    }

    @Test
    void a_streamed_refusal_never_arrives_as_answer_text_and_the_stream_ends_with_the_error() {
        Script inner = new Script(items(Message.assistantRefusal(REFUSAL)));
        dev.baton.model.Model refusing = new dev.baton.model.Model() {
            @Override
            public ModelResponse respond(ModelRequest request) {
                return inner.respond(request);
            }

            @Override
            public ModelResponse stream(ModelRequest request, Consumer<ModelStreamEvent> events) {
                events.accept(new ModelStreamEvent.RefusalDelta("I can't "));
                events.accept(new ModelStreamEvent.RefusalDelta("help."));
                return respond(request);
            }
        };
        List<RunEvent> events = new ArrayList<>();

        try (RunStream stream = Runner.create().stream(support(), "bypass it", RunOptions.<Void>none().withModel(refusing))) {
            stream.forEach(events::add);
            assertThatThrownBy(stream::result).isInstanceOf(ModelRefusalError.class);
        }

        assertThat(events).noneMatch(e -> e instanceof RunEvent.TextDelta);
        assertThat(events).filteredOn(e -> e instanceof RunEvent.MessageOutput).singleElement()
                .satisfies(e -> assertThat(((RunEvent.MessageOutput) e).item().refusal()).isEqualTo(REFUSAL));
        assertThat(events).last().isInstanceOfSatisfying(RunEvent.RunFailed.class,
                f -> assertThat(f.error()).isInstanceOf(ModelRefusalError.class));
    }

    @Test
    void a_refusal_that_ends_the_run_is_not_saved_like_any_failing_turn_but_a_handled_one_is() {
        InMemorySessionStore store = new InMemorySessionStore();
        Script model = new Script(items(Message.assistantRefusal(REFUSAL)), reply("Happy to help with your invoice."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(store).build());

        assertThatThrownBy(() -> runner.run(support(), "bypass it", RunOptions.session("ticket-7")))
                .isInstanceOf(ModelRefusalError.class);
        runner.run(support(), "then help me with my invoice", RunOptions.session("ticket-7"));

        assertThat(store.items("ticket-7", 0)).doesNotContain(Message.assistantRefusal(REFUSAL));
        assertThat(model.requests.get(1).input())
                .containsExactly(Message.user("bypass it"), Message.user("then help me with my invoice"));

        Script handledModel = new Script(items(Message.assistantRefusal(REFUSAL)));
        runner.run(support(), "bypass it again", RunOptions.<Void>session("ticket-8").withModel(handledModel)
                .withErrorHandler(failure -> Optional.of("A colleague will follow up.")));
        assertThat(store.items("ticket-8", 0)).containsExactly(Message.user("bypass it again"),
                Message.assistantRefusal(REFUSAL), Message.assistant("A colleague will follow up."));
    }

    @Test
    void a_paused_run_keeps_refusals_through_its_json_state() {
        Tool<Void> refund = Tool.<Void, GetInvoice>of("process_refund", "", GetInvoice.class, (ctx, a) -> "refunded").requiringApproval();
        Agent<Void> billing = Agent.<Void>builder("billing").tools(refund).build();
        Message refusal = new Message(Message.Role.ASSISTANT, "I'll ask for approval.", "msg_1", "I can't refund it myself.");
        Script model = new Script(items(refusal, Script.toolCall("process_refund", "{\"invoice_id\":\"INV-1\"}")), reply("Refunded."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());

        RunResult paused = runner.run(billing, "refund INV-1");
        RunState restored = RunState.fromJson(paused.toState().toJson());
        RunResult done = runner.resume(billing, restored.approve(restored.pendingApprovals().get(0).callId()));

        assertThat(done.finalOutput()).isEqualTo("Refunded.");
        assertThat(done.newItems()).filteredOn(i -> i instanceof RunItem.MessageItem).first()
                .isInstanceOfSatisfying(RunItem.MessageItem.class, m -> assertThat(m.message()).isEqualTo(refusal));
        List<Item> secondRequest = model.requests.get(1).input();
        assertThat(secondRequest).contains(refusal);
    }

    @Test
    void only_an_assistant_message_can_carry_a_refusal() {
        assertThatThrownBy(() -> new Message(Message.Role.USER, "", null, "no"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("assistant").hasMessageContaining("USER");
        assertThat(Message.assistantRefusal(REFUSAL).refused()).isTrue();
        assertThat(Message.assistant("fine").refused()).isFalse();
    }
}
