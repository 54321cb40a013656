package dev.baton.run;

import static dev.baton.run.Script.handoff;
import static dev.baton.run.Script.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.ModelBehaviorError;
import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.human.HumanAgent;
import dev.baton.human.HumanChannel;
import dev.baton.human.HumanQueue;
import dev.baton.human.HumanReply;
import dev.baton.human.HumanRequest;
import dev.baton.NobodyAnswered;
import dev.baton.item.Message;
import dev.baton.item.RunItem;
import dev.baton.session.InMemorySessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Human agents")
class HumanAgentRunTest {

    final HumanQueue queue = new HumanQueue();
    final InMemorySessionStore sessions = new InMemorySessionStore();

    /** Triage, which escalates to a person, who may hand the customer back to triage. */
    Team<Void> desk(HumanAgent.Builder<Void> human) {
        Agent<Void> triage = Agent.<Void>builder("support_triage").handoffs("human_agent").build();
        return Team.of(triage, human.handoffs("support_triage").build());
    }

    HumanAgent.Builder<Void> human(HumanChannel channel) {
        return HumanAgent.<Void>builder("human_agent")
                .instructions("You are Sam from support. Refunds above $200 need a manager.")
                .handoffDescription("A person, for complaints and anything the assistant cannot do")
                .channel(channel);
    }

    Runner runner(Script model) {
        return Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
    }

    /** A person at the queue, on another thread: takes the next question and answers it; gives what they were shown. */
    CompletableFuture<HumanRequest> person(Function<HumanRequest, HumanReply> answer) {
        CompletableFuture<HumanRequest> seen = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                HumanQueue.Question question = queue.poll(Duration.ofSeconds(30))
                        .orElseThrow(() -> new AssertionError("no question for the person"));
                question.answer(answer.apply(question.request()));
                seen.complete(question.request());
            } catch (Throwable t) {
                seen.completeExceptionally(t);
            }
        });
        return seen;
    }

    @Test
    void a_handoff_to_the_human_agent_asks_a_person_whose_reply_is_the_agents_message() {
        Team<Void> desk = desk(human(queue));
        CompletableFuture<HumanRequest> sam = person(request -> HumanReply.say("Hi, this is Sam. I'll look into the charge myself."));
        List<RunEvent> events = new ArrayList<>();

        RunResult result = runner(new Script(handoff("human_agent"))).run(desk.agent("support_triage"),
                "I want to talk to a person about a charge", RunOptions.<Void>session("t-1").withListener(events::add));

        assertThat(result.handoffs()).containsExactly(Map.entry("support_triage", "human_agent"));
        assertThat(result.lastAgent()).isEqualTo("human_agent");
        assertThat(result.finalOutputText()).isEqualTo("Hi, this is Sam. I'll look into the charge myself.");
        assertThat(result.newItems().get(result.newItems().size() - 1)).isInstanceOfSatisfying(RunItem.MessageItem.class, m -> {
            assertThat(m.agent()).isEqualTo("human_agent");
            assertThat(m.message()).isEqualTo(Message.assistant("Hi, this is Sam. I'll look into the charge myself."));
        });
        assertThat(events).filteredOn(e -> e instanceof RunEvent.MessageOutput).singleElement()
                .satisfies(e -> assertThat(e.agent()).isEqualTo("human_agent"));
        HumanRequest shown = sam.join();
        assertThat(shown.agent()).isEqualTo("human_agent");
        assertThat(shown.instructions()).isEqualTo("You are Sam from support. Refunds above $200 need a manager.");
        assertThat(shown.lastUserMessage()).isEqualTo("I want to talk to a person about a charge");
        assertThat(shown.transcript()).startsWith("user: I want to talk to a person about a charge\ncalled transfer_to_human_agent({})");
        assertThat(shown.handoffs()).extracting(HumanRequest.HandoffOption::agent).containsExactly("support_triage");
    }

    @Test
    void the_person_is_told_which_run_and_session_ask_and_each_question_has_its_own_id() {
        Team<Void> desk = desk(human(queue));
        CompletableFuture<HumanRequest> sam = person(request -> HumanReply.say("Sam here."));

        RunResult result = runner(new Script(handoff("human_agent"))).run(desk.agent("support_triage"),
                "A person, please", RunOptions.session("t-ids"));

        HumanRequest shown = sam.join();
        assertThat(shown.runId()).isEqualTo(result.runId());
        assertThat(shown.sessionId()).isEqualTo("t-ids");
        CompletableFuture<HumanRequest> again = person(request -> HumanReply.say("Still Sam."));
        RunResult next = runner(new Script()).run(desk.agent("support_triage"), "Thanks", RunOptions.session("t-ids"));
        assertThat(again.join().runId()).isEqualTo(next.runId()).isNotEqualTo(result.runId());
    }

    @Test
    void a_human_agents_channel_asked_outside_a_run_names_no_run() {
        HumanRequest request = new HumanRequest("human_agent", null, List.of(Message.user("hi")), List.of(),
                java.time.Instant.now().plusSeconds(60));

        assertThat(request.runId()).isNull();
        assertThat(request.sessionId()).isNull();
    }

    @Test
    void the_human_agent_holds_the_session_so_the_next_message_goes_to_the_person() {
        Team<Void> desk = desk(human(queue));
        Runner runner = runner(new Script(handoff("human_agent")));   // triage answers once, never again
        person(request -> HumanReply.say("Sam here. Which invoice is it?"));
        runner.run(desk.agent("support_triage"), "Let me talk to a person", RunOptions.session("t-2"));
        CompletableFuture<HumanRequest> second = person(request -> HumanReply.say("Thanks, INV-8821 is refunded."));

        RunResult result = runner.run(desk.agent("support_triage"), "It's INV-8821", RunOptions.session("t-2"));

        assertThat(result.handoffs()).isEmpty();
        assertThat(result.lastAgent()).isEqualTo("human_agent");
        assertThat(result.finalOutputText()).isEqualTo("Thanks, INV-8821 is refunded.");
        assertThat(second.join().transcript()).contains("assistant: Sam here. Which invoice is it?").endsWith("user: It's INV-8821");
        assertThat(sessions.activeAgent("t-2")).contains("human_agent");
    }

    @Test
    void the_person_hands_the_customer_back_to_triage_which_answers_in_the_same_run() {
        Team<Void> desk = desk(human(queue));
        person(request -> HumanReply.handOff("support_triage", "I'll pass you back to our assistant for the order."));

        RunResult result = runner(new Script(handoff("human_agent"), reply("Your order ships tomorrow.")))
                .run(desk.agent("support_triage"), "A person, please. Also, where is my order?", RunOptions.session("t-3"));

        assertThat(result.handoffs()).containsExactly(Map.entry("support_triage", "human_agent"), Map.entry("human_agent", "support_triage"));
        assertThat(result.newItems()).filteredOn(i -> i.agent().equals("human_agent"))
                .anySatisfy(i -> assertThat(i).isInstanceOfSatisfying(RunItem.MessageItem.class,
                        m -> assertThat(m.text()).isEqualTo("I'll pass you back to our assistant for the order.")))
                .anySatisfy(i -> assertThat(i).isInstanceOf(RunItem.HandoffCallItem.class));
        assertThat(result.lastAgent()).isEqualTo("support_triage");
        assertThat(result.finalOutputText()).isEqualTo("Your order ships tomorrow.");
        assertThat(sessions.activeAgent("t-3")).contains("support_triage");
    }

    @Test
    void when_nobody_answers_in_time_the_agent_says_so_and_the_reply_is_marked_in_items_events_and_session() {
        Team<Void> desk = desk(human(queue).timeout(Duration.ofMillis(50)));   // nobody takes the question
        List<RunEvent> events = new ArrayList<>();

        RunResult result = runner(new Script(handoff("human_agent"))).run(desk.agent("support_triage"), "A person, please",
                RunOptions.<Void>session("t-4").withListener(events::add));

        assertThat(result.finalOutputText()).isEqualTo(HumanAgent.DEFAULT_NOBODY_ANSWERED_REPLY)
                .isEqualTo("Nobody is available right now; we will get back to you.");
        assertThat(result.lastAgent()).isEqualTo("human_agent");
        assertThat(events).filteredOn(e -> e instanceof RunEvent.MessageOutput).singleElement()
                .satisfies(e -> assertThat(HumanAgent.isNobodyAnswered(((RunEvent.MessageOutput) e).item().message())).isTrue());
        assertThat(sessions.items("t-4", 0)).last().satisfies(i -> assertThat(HumanAgent.isNobodyAnswered(i)).isTrue());
        assertThat(sessions.activeAgent("t-4")).as("the next message asks a person again").contains("human_agent");
        assertThat(queue.pending()).as("the unanswered question left the queue").isEmpty();
    }

    @Test
    void a_person_s_ordinary_reply_is_not_marked_as_unanswered() {
        Team<Void> desk = desk(human(request -> Optional.of(HumanReply.say("Here."))));

        RunResult result = runner(new Script(handoff("human_agent"))).run(desk.agent("support_triage"), "A person, please");

        assertThat(result.newItems()).noneMatch(i -> HumanAgent.isNobodyAnswered(i.toItem()));
    }

    @Test
    void the_reply_when_nobody_answers_can_be_chosen() {
        Team<Void> desk = desk(human(request -> Optional.empty()).whenNobodyAnswers("Our team is back at 9:00; we'll call you."));

        RunResult result = runner(new Script(handoff("human_agent"))).run(desk.agent("support_triage"), "A person, please");

        assertThat(result.finalOutputText()).isEqualTo("Our team is back at 9:00; we'll call you.");
    }

    @Test
    void a_human_agent_built_to_fail_when_nobody_answers_fails_the_run_with_nobody_answered() {
        Team<Void> desk = desk(human(request -> Optional.empty()).timeout(Duration.ofSeconds(90)).failWhenNobodyAnswers());
        List<RunEvent> events = new ArrayList<>();

        assertThatThrownBy(() -> runner(new Script(handoff("human_agent"))).run(desk.agent("support_triage"), "A person, please",
                RunOptions.<Void>session("t-5").withListener(events::add)))
                .isInstanceOfSatisfying(NobodyAnswered.class, e -> {
                    assertThat(e.agent()).isEqualTo("human_agent");
                    assertThat(e.timeout()).isEqualTo(Duration.ofSeconds(90));
                    assertThat(e).hasMessage("Nobody answered for human agent 'human_agent' within 90 s");
                    assertThat(e.lastAgent()).isEqualTo("human_agent");
                });
        assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(RunEvent.RunFailed.class,
                f -> assertThat(f.error()).isInstanceOf(NobodyAnswered.class));
        assertThat(sessions.activeAgent("t-5")).contains("human_agent");
    }

    @Test
    void a_runs_model_override_does_not_replace_the_person() {
        Team<Void> desk = desk(human(request -> Optional.of(HumanReply.say("A real person here."))));

        RunResult result = Runner.create().run(desk.agent("support_triage"), "A person, please",
                RunOptions.<Void>none().withModel(new Script(handoff("human_agent"))));

        assertThat(result.finalOutputText()).isEqualTo("A real person here.");
    }

    @Test
    void a_reply_handing_off_to_an_agent_the_human_agent_does_not_offer_fails_the_run_and_keeps_the_reply() {
        Team<Void> desk = desk(human(request -> Optional.of(HumanReply.handOff("billing_specialist", "Billing will help you."))));

        assertThatThrownBy(() -> runner(new Script(handoff("human_agent"))).run(desk.agent("support_triage"), "A person, please"))
                .isInstanceOfSatisfying(ModelBehaviorError.class, e -> {
                    assertThat(e).hasMessage("Human agent 'human_agent' cannot hand off to 'billing_specialist': "
                            + "it hands off to support_triage");
                    assertThat(e.rawOutput()).isEqualTo("Billing will help you.");
                });
    }

    @Test
    void a_channel_that_throws_fails_the_run_as_a_failed_model_call_naming_the_agent() {
        Team<Void> desk = desk(human(request -> {
            throw new IllegalStateException("help desk service unreachable");
        }));

        assertThatThrownBy(() -> runner(new Script(handoff("human_agent"))).run(desk.agent("support_triage"), "A person, please"))
                .isInstanceOf(dev.baton.ModelCallFailed.class)
                .hasMessageContaining("human_agent").hasMessageContaining("help desk service unreachable");
    }
}
