package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Send: a message to one agent, its reply as a future")
class SendTest {

    record Question(String text) {}

    record Answer(String text, String askedBy, String messageId) {}

    record AskOther(String text) {}

    record Slow(CountDownLatch started, CountDownLatch cancelled) {}

    static final class Expert extends RoutedAgent {
        @Handles
        Answer question(Question question, MessageContext context) {
            return new Answer(question.text().toUpperCase(), String.valueOf(context.sender()), context.messageId());
        }

        @Handles
        Boolean slow(Slow slow, MessageContext context) throws InterruptedException {
            context.cancellation().onCancel(slow.cancelled()::countDown);
            slow.started().countDown();
            return slow.cancelled().await(30, TimeUnit.SECONDS);
        }
    }

    static final class Asker extends RoutedAgent {
        @Handles
        Answer ask(AskOther ask) {
            return send(new Question(ask.text()), new AgentId("expert", "e1"), Answer.class).join();
        }
    }

    private final InProcessRuntime runtime = InProcessRuntime.create();

    @AfterEach
    void stop() {
        runtime.stop();
    }

    @Test
    @DisplayName("the future completes with the handler's reply; the context has a message id and no sender or topic")
    void reply() {
        runtime.register("expert", id -> new Expert());

        Answer answer = runtime.send(new Question("why"), new AgentId("expert", "e1"), Answer.class).join();

        assertThat(answer.text()).isEqualTo("WHY");
        assertThat(answer.askedBy()).isEqualTo("null");
        assertThat(answer.messageId()).isNotBlank();
    }

    @Test
    @DisplayName("an agent sending to another is the sender its context shows")
    void agent_to_agent() {
        runtime.register("expert", id -> new Expert());
        runtime.register("asker", id -> new Asker());

        Answer answer = runtime.send(new AskOther("how"), new AgentId("asker", "a1"), Answer.class).join();

        assertThat(answer).extracting(Answer::text, Answer::askedBy).containsExactly("HOW", "asker/a1");
    }

    @Test
    @DisplayName("a reply of another type fails the typed future")
    void wrong_reply_type() {
        runtime.register("expert", id -> new Expert());

        CompletableFuture<String> reply = runtime.send(new Question("q"), new AgentId("expert", "e1"), String.class);

        assertThatThrownBy(reply::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOf(ClassCastException.class).hasMessageContaining("not a java.lang.String");
    }

    @Test
    @DisplayName("cancelling the future cancels the handler's cancellation token")
    void cancel() throws Exception {
        runtime.register("expert", id -> new Expert());
        Slow slow = new Slow(new CountDownLatch(1), new CountDownLatch(1));

        CompletableFuture<Object> reply = runtime.send(slow, new AgentId("expert", "e1"));
        assertThat(slow.started().await(30, TimeUnit.SECONDS)).isTrue();
        reply.cancel(true);

        assertThat(slow.cancelled().await(30, TimeUnit.SECONDS)).as("the handler saw the cancellation").isTrue();
        assertThat(reply).isCancelled();
    }

    @Test
    @DisplayName("an agent that answers NotHandledHere fails the send with DECLINED and its reason: in one process nobody else answers")
    void declined_send() {
        runtime.register("operator", id -> new RoutedAgent() {
            {
                answer(Question.class, (q, context) -> new NotHandledHere("session " + id.key() + " is answered elsewhere"));
            }
        });

        assertThatThrownBy(() -> runtime.send(new Question("anyone?"), new AgentId("operator", "s-9")).join())
                .cause().isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeliveryFailure.DECLINED);
                    assertThat(e.recipient()).isEqualTo(new AgentId("operator", "s-9"));
                    assertThat(e).hasMessageContaining("session s-9 is answered elsewhere");
                });
    }
}
