package dev.baton.human;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.item.Message;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The in-memory human queue")
class HumanQueueTest {

    final HumanQueue queue = new HumanQueue();

    static HumanRequest request(Duration wait, String... handoffs) {
        return new HumanRequest("human_agent", null, List.of(Message.user("I was charged twice")),
                java.util.Arrays.stream(handoffs).map(h -> new HumanRequest.HandoffOption(h, "Back to " + h)).toList(),
                Instant.now().plus(wait));
    }

    /** A run waiting on the queue, on its own thread, like a human agent's turn. */
    CompletableFuture<Optional<HumanReply>> asking(HumanRequest request, Thread[] thread) {
        CompletableFuture<Optional<HumanReply>> answer = new CompletableFuture<>();
        thread[0] = Thread.ofVirtual().start(() -> {
            try {
                answer.complete(queue.ask(request));
            } catch (Throwable t) {
                answer.completeExceptionally(t);
            }
        });
        return answer;
    }

    HumanQueue.Question take() {
        return queue.poll(Duration.ofSeconds(30)).orElseThrow(() -> new AssertionError("no question came"));
    }

    @Test
    void a_person_takes_the_question_and_the_waiting_turn_gets_their_reply() {
        CompletableFuture<Optional<HumanReply>> answer = asking(request(Duration.ofMinutes(5), "support_triage"), new Thread[1]);

        HumanQueue.Question question = take();
        assertThat(question.request().lastUserMessage()).isEqualTo("I was charged twice");
        assertThat(queue.pending()).as("a taken question is the taker's").isEmpty();
        question.answer(HumanReply.handOff("support_triage", "Passing you back."));

        assertThat(answer.join()).contains(new HumanReply("Passing you back.", "support_triage", null));
        assertThat(question.isOpen()).isFalse();
    }

    @Test
    void each_question_has_its_own_id_that_stays_the_same() throws InterruptedException {
        asking(request(Duration.ofMinutes(5), "support_triage"), new Thread[1]);
        asking(request(Duration.ofMinutes(5), "support_triage"), new Thread[1]);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (queue.pending().size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }

        List<HumanQueue.Question> pending = queue.pending();

        assertThat(pending).hasSize(2);
        assertThat(pending.get(0).id()).isNotBlank().isNotEqualTo(pending.get(1).id());
        assertThat(pending.get(0).id()).isEqualTo(pending.get(0).id());
        pending.forEach(q -> q.reply("done"));
    }

    @Test
    void a_reply_to_an_agent_not_offered_is_refused_and_the_question_stays_open_for_a_corrected_reply() {
        CompletableFuture<Optional<HumanReply>> answer = asking(request(Duration.ofMinutes(5), "support_triage"), new Thread[1]);
        HumanQueue.Question question = take();

        assertThatThrownBy(() -> question.answer(HumanReply.handOff("billing")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Human agent 'human_agent' cannot hand off to 'billing': it hands off to support_triage");
        assertThat(question.isOpen()).isTrue();
        question.reply("Let me check that for you.");

        assertThat(answer.join()).contains(HumanReply.say("Let me check that for you."));
    }

    @Test
    void a_question_is_answered_once() {
        asking(request(Duration.ofMinutes(5)), new Thread[1]);
        HumanQueue.Question question = take();
        question.reply("First.");

        assertThatThrownBy(() -> question.reply("Second.")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already answered");
    }

    @Test
    void nobody_answering_before_the_deadline_gives_an_empty_answer_and_leaves_the_queue() {
        Optional<HumanReply> answer = queue.ask(request(Duration.ofMillis(20)));

        assertThat(answer).isEmpty();
        assertThat(queue.pending()).isEmpty();
    }

    @Test
    void an_answer_after_the_turn_stopped_waiting_is_refused_so_the_person_knows_it_was_not_delivered() {
        Thread[] run = new Thread[1];
        CompletableFuture<Optional<HumanReply>> answer = asking(request(Duration.ofMinutes(5)), run);
        HumanQueue.Question question = take();

        run[0].interrupt();   // the run is cancelled

        assertThatThrownBy(answer::join).isInstanceOf(CancellationException.class);
        assertThat(question.isOpen()).isFalse();
        assertThatThrownBy(() -> question.reply("Sorry for the wait!")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Nobody waits for this answer any more");
    }

    @Test
    void a_reply_must_say_something_or_hand_off() {
        assertThatThrownBy(() -> HumanReply.say("  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A reply needs a message, a handoff, or both; this one has neither");
        assertThat(HumanReply.handOff("support_triage").text()).isEmpty();
    }
}
