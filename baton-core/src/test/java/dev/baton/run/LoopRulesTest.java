package dev.baton.run;

import static dev.baton.run.Script.call;
import static dev.baton.run.Script.handoff;
import static dev.baton.run.Script.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.InputGuardrailTripwireTriggered;
import dev.baton.MaxTurnsExceeded;
import dev.baton.OutputGuardrailTripwireTriggered;
import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.guardrail.GuardrailOutput;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.guardrail.InputGuardrail;
import dev.baton.guardrail.OutputGuardrail;
import dev.baton.handoff.Handoff;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.RunItem;
import dev.baton.item.ToolOutput;
import dev.baton.model.ModelRequest;
import dev.baton.session.InMemorySessionStore;
import dev.baton.session.Session;
import dev.baton.tool.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The loop's rules where it once diverged from the OpenAI Agents SDK or from the seeds' scenarios. */
@DisplayName("Loop rules")
class LoopRulesTest {

    record Refund(String invoiceId, int amount) {}

    record Ticket(String summary, int priority) {}

    static String text(Item item) {
        return item instanceof Message m ? m.text() : item.toString();
    }

    @Nested
    @DisplayName("An output guardrail that trips")
    class OutputGuardrailTrip {
        final OutputGuardrail<Void> noPromises = OutputGuardrail.of("no_promises",
                (ctx, agent, output) -> output.toString().contains("guarantee") ? GuardrailOutput.trip("promise") : GuardrailOutput.pass(null));

        @Test
        void leaves_the_session_as_it_was_before_the_blocked_answer() {
            Tool<Void> lookUp = Tool.of("look_up", "Look an order up.", Refund.class, (ctx, a) -> "order of " + a.amount());
            Agent<Void> agent = Agent.<Void>builder("support").tools(lookUp).outputGuardrails(noPromises).build();
            Session session = Session.inMemory("ticket-og");
            Script model = new Script(call("look_up", "{\"invoice_id\":\"INV-1\",\"amount\":5}"),
                    reply("I guarantee a full refund tomorrow."));

            assertThatThrownBy(() -> Runner.create().run(agent, "where is my refund?",
                    RunOptions.<Void>none().withSession(session).withModel(model)))
                    .isInstanceOf(OutputGuardrailTripwireTriggered.class);

            List<Item> kept = session.items();
            assertThat(kept).extracting(LoopRulesTest::text).noneMatch(t -> t.contains("guarantee"));
            assertThat(kept.get(0)).isEqualTo(Message.user("where is my refund?"));
            assertThat(kept).hasSize(3); // the input, the look-up call and its output
        }

        @Test
        void the_next_message_does_not_show_the_blocked_answer_to_the_model() {
            Agent<Void> agent = Agent.<Void>builder("support").outputGuardrails(noPromises).build();
            Session session = Session.inMemory("ticket-og2");
            Script model = new Script(reply("I guarantee it."), reply("Let me check."));
            RunOptions<Void> options = RunOptions.<Void>none().withSession(session).withModel(model);

            assertThatThrownBy(() -> Runner.create().run(agent, "refund?", options))
                    .isInstanceOf(OutputGuardrailTripwireTriggered.class)
                    .satisfies(e -> assertThat(((OutputGuardrailTripwireTriggered) e).items())
                            .as("the exception still shows what was blocked")
                            .anyMatch(i -> i instanceof RunItem.MessageItem m && m.message().text().contains("guarantee")));
            Runner.create().run(agent, "hello?", options);

            assertThat(model.requests.get(1).input()).extracting(LoopRulesTest::text)
                    .containsExactly("refund?", "hello?");
        }
    }

    @Nested
    @DisplayName("The run error handler's answer")
    class ErrorHandlerAnswer {
        final RunErrorHandler sorry = failure -> Optional.of("Sorry, that took too long. A colleague will follow up.");

        @Test
        void is_the_last_agents_message_in_items_events_and_session() {
            Tool<Void> spin = Tool.of("spin", "Spin.", Refund.class, (ctx, a) -> "again");
            Agent<Void> agent = Agent.<Void>builder("support").tools(spin).build();
            Session session = Session.inMemory("ticket-eh");
            List<RunEvent> events = new ArrayList<>();
            Script model = new Script(call("spin", "{\"invoice_id\":\"A\",\"amount\":1}"));

            RunResult result = Runner.create().run(agent, "go", RunOptions.<Void>none().withSession(session).withModel(model)
                    .withMaxTurns(1).withErrorHandler(sorry).withListener(events::add));

            assertThat(result.finalOutput()).isEqualTo("Sorry, that took too long. A colleague will follow up.");
            assertThat(result.newItems().get(result.newItems().size() - 1)).isEqualTo(new RunItem.MessageItem("support",
                    Message.assistant("Sorry, that took too long. A colleague will follow up.")));
            assertThat(events).filteredOn(e -> e instanceof RunEvent.MessageOutput).singleElement()
                    .satisfies(e -> assertThat(((RunEvent.MessageOutput) e).item().message().text()).startsWith("Sorry"));
            assertThat(session.items().get(session.items().size() - 1)).isEqualTo(
                    Message.assistant("Sorry, that took too long. A colleague will follow up."));
        }

        @Test
        void is_streamed_as_text_and_as_a_message() {
            Tool<Void> spin = Tool.of("spin", "Spin.", Refund.class, (ctx, a) -> "again");
            Agent<Void> agent = Agent.<Void>builder("support").tools(spin).build();
            Script model = new Script(call("spin", "{\"invoice_id\":\"A\",\"amount\":1}"));
            List<RunEvent> events = new ArrayList<>();

            try (RunStream stream = Runner.create().stream(agent, "go",
                    RunOptions.<Void>none().withModel(model).withMaxTurns(1).withErrorHandler(sorry))) {
                stream.forEach(events::add);
            }

            assertThat(events).filteredOn(e -> e instanceof RunEvent.TextDelta).extracting(e -> ((RunEvent.TextDelta) e).delta())
                    .containsExactly("Sorry, that took too long. A colleague will follow up.");
            assertThat(events).filteredOn(e -> e instanceof RunEvent.MessageOutput).hasSize(1);
        }

        @Test
        void of_a_structured_agent_is_written_as_its_json_and_replaces_the_invalid_answer() {
            Agent<Void> agent = Agent.<Void>builder("intake").outputType(Ticket.class).build();
            Script model = new Script(reply("not json at all"));

            RunResult result = Runner.create().run(agent, "my router", RunOptions.<Void>none().withModel(model)
                    .withErrorHandler(f -> Optional.of(new Ticket("unreadable request", 3))));

            assertThat(result.finalOutputAs(Ticket.class)).isEqualTo(new Ticket("unreadable request", 3));
            assertThat(result.newItems()).singleElement().satisfies(i -> assertThat(((RunItem.MessageItem) i).message().text())
                    .isEqualTo("{\"summary\":\"unreadable request\",\"priority\":3}"));
        }

        @Test
        void that_does_not_fit_the_output_type_is_a_user_error_at_once() {
            Agent<Void> agent = Agent.<Void>builder("intake").outputType(Ticket.class).build();

            assertThatThrownBy(() -> Runner.create().run(agent, "my router", RunOptions.<Void>none()
                    .withModel(new Script(reply("not json"))).withErrorHandler(f -> Optional.of("a plain apology"))))
                    .isInstanceOf(UserError.class)
                    .hasMessageContaining("java.lang.String")
                    .hasMessageContaining("Ticket");
        }

        @Test
        void of_a_plain_text_agent_must_be_text() {
            Agent<Void> agent = Agent.<Void>builder("support").build();
            Tool<Void> spin = Tool.of("spin", "Spin.", Refund.class, (ctx, a) -> "again");
            Agent<Void> spinning = agent.toBuilder().tools(spin).build();

            assertThatThrownBy(() -> Runner.create().run(spinning, "go", RunOptions.<Void>none()
                    .withModel(new Script(call("spin", "{\"invoice_id\":\"A\",\"amount\":1}"))).withMaxTurns(1)
                    .withErrorHandler(f -> Optional.of(42))))
                    .isInstanceOf(UserError.class)
                    .hasMessageContaining("plain text");
        }
    }

    @Nested
    @DisplayName("A resumed run")
    class Resume {
        @Test
        void keeps_the_turn_limit_it_was_started_with() {
            Tool<Void> refund = Tool.<Void, Refund>of("process_refund", "Refund.", Refund.class, (ctx, a) -> "refunded").requiringApproval();
            Tool<Void> spin = Tool.of("spin", "Spin.", Refund.class, (ctx, a) -> "again");
            Agent<Void> billing = Agent.<Void>builder("billing").tools(refund, spin).build();
            Script model = new Script(call("process_refund", "{\"invoice_id\":\"A\",\"amount\":1}"),
                    call("spin", "{\"invoice_id\":\"A\",\"amount\":1}"), call("spin", "{\"invoice_id\":\"A\",\"amount\":1}"));
            Runner runner = Runner.create(RunConfig.builder().defaultModel(model).maxTurns(10).build());

            RunResult paused = runner.run(billing, "refund", RunOptions.<Void>none().withMaxTurns(2));
            RunState state = RunState.fromJson(paused.toState().approve(paused.interruptions().get(0).callId()).toJson());

            assertThatThrownBy(() -> runner.resume(billing, state))
                    .isInstanceOf(MaxTurnsExceeded.class)
                    .hasMessageContaining("2");
            assertThat(model.calls()).isEqualTo(2);
        }

        @Test
        void keeps_the_model_name_and_settings_unless_the_resume_options_set_them() {
            Tool<Void> refund = Tool.<Void, Refund>of("process_refund", "Refund.", Refund.class, (ctx, a) -> "refunded").requiringApproval();
            Agent<Void> billing = Agent.<Void>builder("billing").tools(refund).build();
            List<String> asked = new ArrayList<>();
            Script model = new Script(call("process_refund", "{\"invoice_id\":\"A\",\"amount\":1}"), reply("Done."));
            Runner runner = Runner.create(RunConfig.builder().modelProvider(name -> {
                asked.add(name);
                return model;
            }).build());

            RunResult paused = runner.run(billing, "refund", RunOptions.<Void>none().withModel("gpt-test")
                    .withModelSettings(dev.baton.model.ModelSettings.defaults().withTemperature(0.1)));
            runner.resume(billing, RunState.fromJson(paused.toState().approve(paused.interruptions().get(0).callId()).toJson()));

            assertThat(asked).containsOnly("gpt-test");
            assertThat(model.requests.get(1).settings().temperature()).isEqualTo(0.1);
        }
    }

    @Nested
    @DisplayName("Parallel input guardrails")
    class ParallelGuardrails {
        @Test
        void report_each_result_once_with_its_own_outcome() {
            CountDownLatch passed = new CountDownLatch(1);
            InputGuardrail<Void> pass = InputGuardrail.of("on_topic", (ctx, agent, input) -> {
                passed.countDown();
                return GuardrailOutput.pass("support request");
            });
            InputGuardrail<Void> trip = InputGuardrail.of("abuse", (ctx, agent, input) -> {
                try {
                    passed.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return GuardrailOutput.trip("abusive");
            });
            Agent<Void> agent = Agent.<Void>builder("triage").inputGuardrails(pass, trip).build();
            List<RunEvent> events = new ArrayList<>();
            Script slow = new Script(r -> {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted");
                }
                return Script.response(Message.assistant("late"));
            });

            assertThatThrownBy(() -> Runner.create().run(agent, "you idiots", RunOptions.<Void>none().withModel(slow)
                    .withListener(events::add)))
                    .isInstanceOf(InputGuardrailTripwireTriggered.class);

            assertThat(events).filteredOn(e -> e instanceof RunEvent.GuardrailChecked)
                    .extracting(e -> ((RunEvent.GuardrailChecked) e).result())
                    .extracting(GuardrailResult::name, GuardrailResult::tripwireTriggered)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("on_topic", false),
                            org.assertj.core.groups.Tuple.tuple("abuse", true));
        }
    }

    @Nested
    @DisplayName("Approval policies")
    class FailClosed {
        @ParameterizedTest(name = "arguments {0}")
        @ValueSource(strings = {"", "{\"invoice_id\":\"INV-1\",", "null", "[1,2]", "NaN", "{} {}"})
        void never_let_a_call_with_arguments_that_are_not_an_object_run_unapproved(String arguments) {
            AtomicInteger policyCalls = new AtomicInteger();
            AtomicInteger runs = new AtomicInteger();
            Tool<Void> raw = Tool.<Void>builder("process_refund").description("Refund.").parameters(Refund.class).invoker((ctx, json) -> {
                runs.incrementAndGet();
                return "refunded";
            }).build().requiringApproval((ctx, args) -> {
                policyCalls.incrementAndGet();
                return false;
            });
            Agent<Void> billing = Agent.<Void>builder("billing").tools(raw).build();

            RunResult result = Runner.create().run(billing, "refund",
                    RunOptions.<Void>none().withModel(new Script(call("process_refund", arguments))));

            assertThat(result.isPaused()).isTrue();
            assertThat(result.interruptions()).singleElement().satisfies(r -> assertThat(r.arguments()).isEqualTo(arguments));
            assertThat(policyCalls).hasValue(0);
            assertThat(runs).hasValue(0);
        }

        @Test
        void an_always_approve_decision_does_not_cover_malformed_arguments() {
            AtomicInteger runs = new AtomicInteger();
            Tool<Void> raw = Tool.<Void>builder("process_refund").description("Refund.").parameters(Refund.class).invoker((ctx, json) -> {
                runs.incrementAndGet();
                return "refunded";
            }).build().requiringApproval();
            Agent<Void> billing = Agent.<Void>builder("billing").tools(raw).build();
            Script model = new Script(call("process_refund", "{\"amount\":1}"), call("process_refund", "[\"everything\"]"));
            Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());

            RunResult first = runner.run(billing, "refund");
            RunResult second = runner.resume(billing, first.toState().approveAlways(first.interruptions().get(0).callId()));

            assertThat(runs).hasValue(1);
            assertThat(second.isPaused()).isTrue();
            assertThat(second.interruptions()).singleElement().satisfies(r -> assertThat(r.arguments()).isEqualTo("[\"everything\"]"));
        }
    }

    @Nested
    @DisplayName("enabledWhen")
    class EnabledWhenSeesTheTurn {
        static final class Desk {
            boolean vip;
        }

        @Test
        void sees_what_the_instructions_function_of_the_same_turn_put_in_the_context() {
            Agent<Desk> manager = Agent.<Desk>builder("manager").build();
            Agent<Desk> triage = Agent.<Desk>builder("triage")
                    .instructions((ctx, agent) -> {
                        ctx.context().vip = true;
                        return "Route the customer.";
                    })
                    .handoffs(Handoff.to(manager).enabledWhen((ctx, agent) -> ctx.context().vip))
                    .build();
            Script model = new Script(reply("Hello."));

            Runner.create().run(triage, "hi", RunOptions.context(new Desk()).withModel(model));

            assertThat(model.requests.get(0).handoffs()).extracting(h -> h.toolName()).containsExactly("transfer_to_manager");
        }

        @Test
        void sees_what_the_agent_start_hook_put_in_the_context() {
            Agent<Desk> manager = Agent.<Desk>builder("manager").build();
            Agent<Desk> triage = Agent.<Desk>builder("triage")
                    .handoffs(Handoff.to(manager).enabledWhen((ctx, agent) -> ctx.context().vip))
                    .hooks(new dev.baton.hook.AgentHooks<>() {
                        @Override
                        public void onAgentStart(RunContext<Desk> ctx, Agent<Desk> agent) {
                            ctx.context().vip = true;
                        }
                    })
                    .build();
            Script model = new Script(reply("Hello."));

            Runner.create().run(triage, "hi", RunOptions.context(new Desk()).withModel(model));

            assertThat(model.requests.get(0).handoffs()).hasSize(1);
        }
    }

    @Nested
    @DisplayName("A sticky session")
    class StickySession {
        @Test
        void still_runs_the_front_doors_input_guardrails_on_every_message() {
            List<String> checked = new ArrayList<>();
            InputGuardrail<Void> classify = InputGuardrail.<Void>of("classify", (ctx, agent, input) -> {
                String last = text(input.get(input.size() - 1));
                checked.add(agent.name() + ":" + last);
                return last.contains("poem") ? GuardrailOutput.trip("off topic") : GuardrailOutput.pass("support");
            }).blocking();
            Agent<Void> billing = Agent.<Void>builder("billing_specialist").build();
            Agent<Void> triage = Agent.<Void>builder("support_triage").handoffs(billing).inputGuardrails(classify).build();
            Script model = new Script(handoff("billing_specialist"), reply("Which invoice?"));
            Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(new InMemorySessionStore()).build());

            runner.run(triage, "I was charged twice", RunOptions.session("t-1"));

            assertThatThrownBy(() -> runner.run(triage, "write me a poem", RunOptions.session("t-1")))
                    .isInstanceOf(InputGuardrailTripwireTriggered.class);
            assertThat(checked).containsExactly("support_triage:I was charged twice", "support_triage:write me a poem");
            assertThat(model.calls()).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("A tool that returns an agent")
    class ToolHandsOff {
        final Agent<Void> sales = Agent.<Void>builder("sales_agent").instructions("Sell bees.").build();

        Agent<Void> triage(Agent<Void> target) {
            Tool<Void> transfer = Tool.of("transfer_to_sales", "Hand the customer to sales.", Refund.class, (ctx, a) -> target);
            return Agent.<Void>builder("triage_agent").tools(transfer).build();
        }

        @Test
        void hands_the_conversation_to_it_like_a_transfer_call() {
            Script model = new Script(call("transfer_to_sales", "{\"invoice_id\":\"\",\"amount\":0}"), reply("Bees are great."));
            List<RunEvent> events = new ArrayList<>();

            RunResult result = Runner.create().run(triage(sales), "I want bees",
                    RunOptions.<Void>none().withModel(model).withListener(events::add));

            assertThat(result.lastAgent()).isEqualTo("sales_agent");
            assertThat(result.finalOutput()).isEqualTo("Bees are great.");
            assertThat(result.handoffs()).containsExactly(java.util.Map.entry("triage_agent", "sales_agent"));
            assertThat(model.requests.get(1).agent()).isEqualTo("sales_agent");
            assertThat(model.requests.get(1).instructions()).isEqualTo("Sell bees.");
            assertThat(result.newItems()).filteredOn(i -> i instanceof RunItem.HandoffOutputItem).singleElement()
                    .satisfies(i -> assertThat(((RunItem.HandoffOutputItem) i).output().output()).contains("sales_agent"));
            assertThat(events).anyMatch(e -> e instanceof RunEvent.HandoffOccurred h && h.to().equals("sales_agent"));
            assertThat(events).noneMatch(e -> e instanceof RunEvent.ToolFinished);
        }

        @Test
        void is_never_turned_into_text() {
            Script model = new Script(call("transfer_to_sales", "{\"invoice_id\":\"\",\"amount\":0}"), reply("Hi."));

            RunResult result = Runner.create().run(triage(sales), "bees", RunOptions.<Void>none().withModel(model));

            assertThat(model.requests.get(1).input()).noneMatch(i -> i instanceof ToolOutput o && o.output().contains("instructions"));
            assertThat(result.nextAgent()).isSameAs(sales);
        }

        @Test
        void keeps_the_session_with_the_new_agent_when_it_is_reachable() {
            Agent<Void> triage = triage(sales).toBuilder().handoffs(Handoff.to(sales).enabled(false)).build();
            Script model = new Script(call("transfer_to_sales", "{\"invoice_id\":\"\",\"amount\":0}"), reply("Hi."), reply("Sure."));
            Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());

            runner.run(triage, "bees", RunOptions.session("swarm-1"));
            runner.run(triage, "how many?", RunOptions.session("swarm-1"));

            assertThat(model.requests.get(2).agent()).isEqualTo("sales_agent");
        }
    }

    @Nested
    @DisplayName("Turn limits")
    class TurnLimits {
        @Test
        void a_run_without_a_turn_limit_goes_on_until_a_final_output() {
            Tool<Void> step = Tool.of("step", "One more step.", Refund.class, (ctx, a) -> "ok");
            Agent<Void> agent = Agent.<Void>builder("worker").tools(step).build();
            List<Function<ModelRequest, dev.baton.model.ModelResponse>> steps = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                steps.add(call("step", "{\"invoice_id\":\"A\",\"amount\":1}"));
            }
            steps.add(reply("Finished."));
            @SuppressWarnings("unchecked")
            Script model = new Script(steps.toArray(new Function[0]));
            Runner runner = Runner.create(RunConfig.builder().defaultModel(model).maxTurns(5).build());

            RunResult result = runner.run(agent, "go", RunOptions.<Void>none().withoutTurnLimit());

            assertThat(result.finalOutput()).isEqualTo("Finished.");
            assertThat(result.turns()).isEqualTo(31);
        }

        @Test
        void a_runner_can_default_to_no_limit() {
            assertThat(RunConfig.builder().noTurnLimit().build().maxTurns()).isEqualTo(RunOptions.NO_TURN_LIMIT);
            assertThatThrownBy(() -> RunOptions.none().withMaxTurns(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    @DisplayName("The result gives the last agent itself, to run the next message with")
    void the_result_gives_the_last_agent_itself() {
        Agent<Void> billing = Agent.<Void>builder("billing_specialist").build();
        Agent<Void> triage = Agent.<Void>builder("support_triage").handoffs(billing).build();

        RunResult result = Runner.create().run(triage, "charged twice",
                RunOptions.<Void>none().withModel(new Script(handoff("billing_specialist"), reply("Which invoice?"))));

        Agent<Void> next = result.nextAgent();
        assertThat(next).isSameAs(billing);
        assertThat(result.agent()).isSameAs(billing);
    }
}
