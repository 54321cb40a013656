package dev.baton.runtime.handoff;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.callTools;
import static dev.baton.testing.Steps.fail;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.UserError;
import dev.baton.agent.Agent;
import dev.baton.item.Message;
import dev.baton.item.ToolOutput;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.runtime.DeliveryFailure;
import dev.baton.runtime.InMemoryDeadLetters;
import dev.baton.runtime.InProcessRuntime;
import dev.baton.runtime.MessageContext;
import dev.baton.runtime.RoutedAgent;
import dev.baton.runtime.Subscription;
import dev.baton.runtime.TopicId;
import dev.baton.schema.Description;
import dev.baton.session.InMemorySessionStore;
import dev.baton.testing.ScriptedModel;
import dev.baton.tool.Tool;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A desk on the publish/subscribe runtime")
class HandoffDeskTest {

    record Invoice(@Description("Invoice id") String id) {}

    final InMemorySessionStore sessions = new InMemorySessionStore();
    final InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();
    final InProcessRuntime runtime = InProcessRuntime.builder().deadLetters(deadLetters).build();
    final AtomicInteger refunds = new AtomicInteger();

    @AfterEach
    void close() {
        runtime.close();
    }

    Runner runner(ScriptedModel model) {
        return Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
    }

    Agent<Void> desk() {
        Tool<Void> refund = Tool.<Void, Invoice>of("refund_invoice", "Refund an invoice.", Invoice.class,
                (ctx, a) -> "refunded " + a.id() + " (#" + refunds.incrementAndGet() + ")").requiringApproval();
        Tool<Void> invoice = Tool.of("get_invoice", "Look an invoice up.", Invoice.class, (ctx, a) -> a.id() + ": $42");
        Agent<Void> billing = Agent.<Void>builder("billing").instructions("Billing.").tools(invoice, refund).build();
        Agent<Void> sales = Agent.<Void>builder("sales").instructions("Sales.").build();
        return Agent.<Void>builder("triage").instructions("Triage.").handoffs(billing, sales).build();
    }

    @Test
    void several_transfers_in_one_response_reach_every_target() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", callTools(handoffTo("billing"), handoffTo("sales")))
                .forAgent("billing", reply("Billing: your invoice is paid."))
                .forAgent("sales", reply("Sales: the new plan is $10."));
        HandoffDesk<Void> desk = HandoffDesk.builder(desk(), runner(model)).build();
        Transcript customer = new Transcript("Is my invoice paid, and what does the new plan cost?");
        desk.host(runtime);
        desk.hostUser(runtime, customer);

        desk.login(runtime, "s1");
        runtime.stopWhenIdle();

        assertThat(customer.answers).extracting(AgentResponse::agent).containsExactlyInAnyOrder("billing", "sales");
        assertThat(customer.answers).allSatisfy(a -> assertThat(a.conversation()).first()
                .isEqualTo(Message.user("Is my invoice paid, and what does the new plan cost?")));
        // The targets take their turns concurrently on one session: each reads both transfers' outputs,
        // and one that starts after the other answered reads that answer too, so the order is not fixed.
        for (String target : List.of("billing", "sales")) {
            assertThat(model.requestsFor(target).getFirst().input()).filteredOn(ToolOutput.class::isInstance).hasSize(2);
        }
        assertThat(deadLetters.list()).isEmpty();
    }

    @Test
    void each_session_has_its_own_agents_and_conversation() {
        ScriptedModel model = ScriptedModel.answering(request -> {
            String asked = ((Message) request.input().stream().filter(Message.class::isInstance).findFirst().orElseThrow()).text();
            return new dev.baton.model.ModelResponse(List.of(Message.assistant(request.agent() + " heard: " + asked)), dev.baton.model.Usage.zero());
        });
        HandoffDesk<Void> desk = HandoffDesk.builder(desk(), runner(model)).build();
        desk.host(runtime);
        List<Transcript> customers = customersAsking(desk);

        for (int i = 0; i < 200; i++) {
            desk.login(runtime, "session-" + i);
        }
        runtime.stopWhenIdle();

        assertThat(customers).hasSize(200).allSatisfy(t -> assertThat(t.answers).singleElement()
                .satisfies(a -> assertThat(a.text()).isEqualTo("triage heard: " + t.said.getFirst().substring("user: ".length()))));
        assertThat(sessions.items("session-17", 0)).hasSize(2);
    }

    @Test
    void a_call_waiting_for_approval_is_published_and_the_turn_goes_on_with_the_decision() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"))
                .forAgent("billing", callTool("refund_invoice", new Invoice("INV-7")), reply("Refund done."));
        HandoffDesk<Void> desk = HandoffDesk.builder(desk(), runner(model)).build();
        Transcript customer = new Transcript("Refund INV-7 please");
        List<ApprovalRequired> asked = new CopyOnWriteArrayList<>();
        desk.host(runtime);
        desk.hostUser(runtime, customer);
        runtime.register("manager", id -> new RoutedAgent() {
            {
                on(ApprovalRequired.class, (ApprovalRequired request, MessageContext context) -> {
                    asked.add(request);
                    var call = request.pending().getFirst();
                    publish(new ApprovalDecision(request.runId(), call.callId(), true, false, null, "Dana"),
                            new TopicId(request.replyToTopicType(), id().key()));
                });
            }
        });
        runtime.subscribe(Subscription.byType(desk.approvalsTopic(), "manager"));

        desk.login(runtime, "s2");
        runtime.stopWhenIdle();

        assertThat(asked).singleElement().satisfies(r -> {
            assertThat(r.agent()).isEqualTo("billing");
            assertThat(r.pending()).singleElement().satisfies(p -> {
                assertThat(p.toolName()).isEqualTo("refund_invoice");
                assertThat(p.arguments()).contains("INV-7");
            });
        });
        assertThat(customer.said).containsExactly("user: Refund INV-7 please", "billing waits for approval of refund_invoice",
                "billing: Refund done.", "(session ended)");
        assertThat(refunds).hasValue(1);
        assertThat(model.requestsFor("billing").getLast().input()).last().isInstanceOf(ToolOutput.class)
                .satisfies(o -> assertThat(((ToolOutput) o).output()).startsWith("refunded INV-7"));
    }

    @Test
    void a_rejected_call_does_not_run_and_the_model_reads_why() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"))
                .forAgent("billing", callTool("refund_invoice", new Invoice("INV-8")), reply("Sorry, no refund."));
        HandoffDesk<Void> desk = HandoffDesk.builder(desk(), runner(model)).build();
        desk.host(runtime);
        desk.hostUser(runtime, new Transcript("Refund INV-8"));
        runtime.register("manager", id -> new RoutedAgent() {
            {
                on(ApprovalRequired.class, (ApprovalRequired request, MessageContext context) -> publish(
                        ApprovalDecision.reject(request.runId(), request.pending().getFirst().callId(), "Over the limit."),
                        new TopicId(request.replyToTopicType(), id().key())));
            }
        });
        runtime.subscribe(Subscription.byType(desk.approvalsTopic(), "manager"));

        desk.login(runtime, "s3");
        runtime.stopWhenIdle();

        assertThat(refunds).hasValue(0);
        assertThat(model.requestsFor("billing").getLast().input()).last()
                .satisfies(o -> assertThat(((ToolOutput) o).output()).contains("Over the limit."));
    }

    @Test
    void a_failed_turn_is_told_to_the_person_and_recorded_and_the_session_goes_on() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", fail(new IllegalStateException("provider down")), reply("Back again: how can I help?"));
        HandoffDesk<Void> desk = HandoffDesk.builder(desk(), runner(model)).build();
        Transcript customer = new Transcript("hello", "hello again");
        desk.host(runtime);
        desk.hostUser(runtime, customer);

        desk.login(runtime, "s4");
        runtime.stopWhenIdle();

        assertThat(customer.failures).singleElement().satisfies(f -> {
            assertThat(f.agent()).isEqualTo("triage");
            assertThat(f.error()).contains("provider down");
        });
        assertThat(customer.said).contains("user: hello again", "triage: Back again: how can I help?");
        assertThat(deadLetters.list()).singleElement().satisfies(letter -> {
            assertThat(letter.reason()).isEqualTo(DeliveryFailure.HANDLER_FAILED);
            assertThat(letter.envelope().type()).isEqualTo("baton.UserTask");
            assertThat(letter.detail()).contains("provider down");
        });
    }

    @Test
    void a_decision_for_a_run_that_does_not_wait_is_a_visible_failure() {
        HandoffDesk<Void> desk = HandoffDesk.builder(desk(), runner(ScriptedModel.create())).build();
        desk.host(runtime);

        runtime.publish(ApprovalDecision.approve("run_nope", "call_1"), new TopicId("billing", "s5"));
        runtime.stopWhenIdle();

        assertThat(deadLetters.list()).singleElement().satisfies(letter -> {
            assertThat(letter.reason()).isEqualTo(DeliveryFailure.HANDLER_FAILED);
            assertThat(letter.detail()).contains("run_nope").contains("billing");
        });
    }

    @Test
    void say_reaches_the_agent_holding_the_conversation_and_the_session_is_an_ordinary_one() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"))
                .forAgent("billing", reply("Billing here."), reply("Still billing."), reply("Billing, outside the runtime."));
        Runner runner = runner(model);
        HandoffDesk<Void> desk = HandoffDesk.builder(desk(), runner).build();
        List<AgentResponse> heard = new CopyOnWriteArrayList<>();
        desk.host(runtime);
        runtime.register("listener", id -> new RoutedAgent() {
            {
                on(AgentResponse.class, (AgentResponse a, MessageContext context) -> heard.add(a));
            }
        });
        runtime.subscribe(Subscription.byType(desk.userTopic(), "listener"));

        desk.say(runtime, "s6", "my invoice?");
        awaitSize(heard, 1);
        assertThat(desk.holder("s6")).isEqualTo("billing");
        desk.say(runtime, "s6", "and the other one?");
        runtime.stopWhenIdle();
        RunResult plain = runner.run(desk(), "and outside?", RunOptions.session("s6"));

        assertThat(heard).extracting(AgentResponse::agent, AgentResponse::text).containsExactly(
                org.assertj.core.groups.Tuple.tuple("billing", "Billing here."),
                org.assertj.core.groups.Tuple.tuple("billing", "Still billing."));
        assertThat(plain.lastAgent()).as("a plain run continues with the holder").isEqualTo("billing");
        assertThat(plain.finalOutput()).isEqualTo("Billing, outside the runtime.");
    }

    /** Waits (at most ten seconds) until {@code list} has {@code size} elements. */
    /** A person per session, each asking "question <session>" once; the list fills as sessions start. */
    List<Transcript> customersAsking(HandoffDesk<Void> desk) {
        List<Transcript> customers = new CopyOnWriteArrayList<>();
        runtime.register(HandoffDesk.USER_AGENT, id -> {
            Transcript t = new Transcript("question " + id.key());
            customers.add(t);
            return new UserAgent(t, desk::holder);
        });
        runtime.subscribe(Subscription.byType(desk.userTopic(), HandoffDesk.USER_AGENT));
        return customers;
    }

    static void awaitSize(List<?> list, int size) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertThat(list).hasSizeGreaterThanOrEqualTo(size);
    }

    @Test
    void a_desk_takes_no_more_turns_at_once_than_its_limit_and_the_others_wait_their_turn() {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ScriptedModel model = ScriptedModel.answering(request -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            now.decrementAndGet();
            return new dev.baton.model.ModelResponse(List.of(Message.assistant("Answered.")), dev.baton.model.Usage.zero());
        });
        HandoffDesk<Void> desk = HandoffDesk.builder(desk(), runner(model)).maxConcurrentTurns(3).build();
        desk.host(runtime);
        List<Transcript> customers = customersAsking(desk);

        for (int i = 0; i < 40; i++) {
            desk.login(runtime, "session-" + i);
        }
        runtime.stopWhenIdle();

        assertThat(customers).hasSize(40).allSatisfy(t -> assertThat(t.answers).singleElement());
        assertThat(most.get()).isLessThanOrEqualTo(3).isGreaterThan(1);
    }

    @Test
    void a_human_agents_turn_waiting_for_a_person_does_not_hold_a_place_of_the_limit() throws Exception {
        java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch manager = new java.util.concurrent.CountDownLatch(1);
        Agent<Void> human = dev.baton.human.HumanAgent.<Void>builder("human_agent").channel(request -> {
            asked.countDown();
            try {
                manager.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return java.util.Optional.of(dev.baton.human.HumanReply.say("Sam, the manager, here."));
        }).timeout(java.time.Duration.ofSeconds(30)).build();
        Agent<Void> triage = Agent.<Void>builder("triage").instructions("Triage.").handoffs(human).build();
        ScriptedModel model = ScriptedModel.answering(request -> {
            boolean person = request.input().stream().anyMatch(i -> i instanceof Message m && m.text().contains("person"));
            return new dev.baton.model.ModelResponse(List.of(person ? new dev.baton.item.ToolCall("c1", "transfer_to_human_agent", "{}")
                    : Message.assistant("Triage answers.")), dev.baton.model.Usage.zero());
        });
        HandoffDesk<Void> desk = HandoffDesk.builder(triage, runner(model)).maxConcurrentTurns(1).build();
        desk.host(runtime);
        Transcript waiting = new Transcript("A person, please");
        Transcript other = new Transcript("Where is my order?");
        runtime.register(HandoffDesk.USER_AGENT, id -> new UserAgent(id.key().equals("waits") ? waiting : other, desk::holder));
        runtime.subscribe(Subscription.byType(desk.userTopic(), HandoffDesk.USER_AGENT));

        desk.login(runtime, "waits");
        try {
            assertThat(asked.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the human agent asks the manager").isTrue();
            desk.login(runtime, "other");
            awaitSize(other.answers, 1);
        } finally {
            manager.countDown();
        }
        runtime.stopWhenIdle();

        assertThat(other.answers).singleElement().satisfies(a -> assertThat(a.text()).isEqualTo("Triage answers."));
        assertThat(waiting.answers).singleElement().satisfies(a -> assertThat(a.text()).isEqualTo("Sam, the manager, here."));
    }

    @Test
    void a_negative_turn_limit_is_refused() {
        assertThatThrownBy(() -> HandoffDesk.builder(desk(), runner(ScriptedModel.create())).maxConcurrentTurns(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrentTurns");
    }

    @Test
    void an_agent_named_like_a_desk_topic_is_refused() {
        Agent<Void> user = Agent.<Void>builder("user").build();
        Agent<Void> triage = Agent.<Void>builder("triage").handoffs(user).build();

        assertThatThrownBy(() -> HandoffDesk.builder(triage, runner(ScriptedModel.create())).build())
                .isInstanceOf(UserError.class).hasMessageContaining("'user'");
    }

    @Test
    void every_message_of_the_pattern_survives_the_codec() {
        HandoffDesk.registerMessageTypes(runtime.codec().types());
        List<dev.baton.item.Item> conversation = List.of(Message.user("hi"), new dev.baton.item.ToolCall("c1", "transfer_to_billing", "{}"),
                new ToolOutput("c1", "{\"assistant\":\"billing\"}"));
        List<Object> messages = List.of(UserLogin.anonymous(), new UserTask(null, conversation, "triage"),
                new AgentResponse("billing", "billing", "Paid.", conversation, "run_1"),
                new ApprovalRequired("billing", "billing", "run_1",
                        List.of(new dev.baton.run.ApprovalRequest("c2", "billing", "refund_invoice", "{\"id\":\"INV-7\"}"))),
                new ApprovalDecision("run_1", "c2", false, true, "no", "Dana"), new TurnFailed("triage", "triage", "boom"),
                new HumanQuestion("human_agent", "A person answers.", conversation,
                        List.of(new dev.baton.human.HumanRequest.HandoffOption("triage", "Back to triage")), 1_700_000_000_000L,
                        "run_2", "s"),
                HumanAnswer.of(java.util.Optional.of(dev.baton.human.HumanReply.say("Hello, this is the manager."))),
                HumanAnswer.of(java.util.Optional.empty()));

        for (Object message : messages) {
            var codec = runtime.codec();
            var envelope = codec.fromJson(codec.toJson(codec.encode(message, "m1", null, new TopicId("billing", "s"), null)));
            assertThat(codec.decode(envelope)).isEqualTo(message);
        }
    }
}
