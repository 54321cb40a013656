package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletionException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Failures: every message not handled has a visible outcome")
class FailuresTest {

    @MessageType("test.Known")
    record Known(String text) {}

    record Unknown(int n) {}

    record Boom(String why) {}

    static final class Picky extends RoutedAgent {
        @Handles
        String known(Known known) {
            return "ok " + known.text();
        }

        @Handles
        String boom(Boom boom) {
            throw new IllegalStateException("exploded: " + boom.why());
        }
    }

    private final InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();
    private final InProcessRuntime runtime = InProcessRuntime.builder().deadLetters(deadLetters).build();
    private final AgentId picky = new AgentId("picky", "s1");
    private final TopicId topic = new TopicId("chat", "s1");

    FailuresTest() {
        runtime.register("picky", id -> new Picky());
        runtime.subscribe(Subscription.byType("chat", "picky"));
    }

    @AfterEach
    void stop() {
        runtime.stop();
    }

    private static DeliveryException failure(ThrowingCallable join) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(join);
        assertThat(thrown).isInstanceOf(CompletionException.class).cause().isInstanceOf(DeliveryException.class);
        return (DeliveryException) thrown.getCause();
    }

    @Test
    @DisplayName("a message type the agent has no handler for: send fails with NO_HANDLER, naming agent and type")
    void unknown_message_type_send() {
        DeliveryException e = failure(() -> runtime.send(new Unknown(1), picky).join());

        assertThat(e.reason()).isEqualTo(DeliveryFailure.NO_HANDLER);
        assertThat(e.recipient()).isEqualTo(picky);
        assertThat(e).hasMessageContaining("picky/s1").hasMessageContaining("no handler for message type 'Unknown'");
    }

    @Test
    @DisplayName("a message type the agent has no handler for: publish leaves a dead letter with the envelope")
    void unknown_message_type_publish() {
        runtime.publish(new Unknown(7), topic);
        runtime.stopWhenIdle();

        assertThat(deadLetters.list()).singleElement().satisfies(letter -> {
            assertThat(letter.reason()).isEqualTo(DeliveryFailure.NO_HANDLER);
            assertThat(letter.envelope().type()).isEqualTo("Unknown");
            assertThat(letter.envelope().payload().get("n").asInt()).isEqualTo(7);
            assertThat(letter.envelope().topic()).isEqualTo(topic);
            assertThat(letter.envelope().recipient()).isEqualTo(picky);
            assertThat(letter.detail()).contains("no handler");
        });
    }

    @Test
    @DisplayName("a handler that throws: send fails with HANDLER_FAILED and the exception as cause")
    void handler_throws_send() {
        DeliveryException e = failure(() -> runtime.send(new Boom("bad input"), picky).join());

        assertThat(e.reason()).isEqualTo(DeliveryFailure.HANDLER_FAILED);
        assertThat(e.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("exploded: bad input");
        assertThat(runtime.send(new Known("after"), picky).join()).as("the instance goes on").isEqualTo("ok after");
    }

    @Test
    @DisplayName("a handler that throws: publish leaves a dead letter saying what it threw")
    void handler_throws_publish() {
        runtime.publish(new Boom("bad input"), topic);
        runtime.stopWhenIdle();

        assertThat(deadLetters.list()).singleElement().satisfies(letter -> {
            assertThat(letter.reason()).isEqualTo(DeliveryFailure.HANDLER_FAILED);
            assertThat(letter.detail()).contains("exploded: bad input");
            assertThat(letter.envelope().payload().get("why").asText()).isEqualTo("bad input");
        });
    }

    @Test
    @DisplayName("an agent type nobody registered: send fails with UNKNOWN_AGENT_TYPE, publish leaves a dead letter")
    void unregistered_agent_type() {
        DeliveryException e = failure(() -> runtime.send(new Known("x"), new AgentId("ghost", "s1")).join());
        assertThat(e.reason()).isEqualTo(DeliveryFailure.UNKNOWN_AGENT_TYPE);
        assertThat(e).hasMessageContaining("no agent type 'ghost' is registered");

        runtime.subscribe(Subscription.byType("haunted", "ghost"));
        runtime.publish(new Known("y"), new TopicId("haunted", "s1"));
        runtime.stopWhenIdle();

        assertThat(deadLetters.list()).singleElement().satisfies(letter -> {
            assertThat(letter.reason()).isEqualTo(DeliveryFailure.UNKNOWN_AGENT_TYPE);
            assertThat(letter.envelope().type()).isEqualTo("test.Known");
            assertThat(letter.envelope().recipient()).isEqualTo(new AgentId("ghost", "s1"));
        });
    }

    @Test
    @DisplayName("a topic nobody subscribes to: publish leaves a dead letter with NO_SUBSCRIBER")
    void no_subscriber() {
        runtime.publish(new Known("lost"), new TopicId("nobody", "s1"), new AgentId("picky", "s0"));
        runtime.stopWhenIdle();

        assertThat(deadLetters.list()).singleElement().satisfies(letter -> {
            assertThat(letter.reason()).isEqualTo(DeliveryFailure.NO_SUBSCRIBER);
            assertThat(letter.envelope().sender()).isEqualTo(new AgentId("picky", "s0"));
            assertThat(letter.envelope().recipient()).isNull();
        });
    }

    @Test
    @DisplayName("a factory that throws: send fails with AGENT_CREATION_FAILED")
    void factory_throws() {
        runtime.register("broken", id -> {
            throw new IllegalArgumentException("no config for " + id.key());
        });

        DeliveryException e = failure(() -> runtime.send(new Known("x"), new AgentId("broken", "k")).join());

        assertThat(e.reason()).isEqualTo(DeliveryFailure.AGENT_CREATION_FAILED);
        assertThat(e.getCause()).hasMessage("no config for k");
    }

    @Test
    @DisplayName("a factory that returns one agent for two keys: the second key's message fails with AGENT_CREATION_FAILED")
    void one_agent_for_two_keys() {
        Picky shared = new Picky();
        runtime.register("shared", id -> shared);

        assertThat(runtime.send(new Known("first"), new AgentId("shared", "k1")).join()).isEqualTo("ok first");
        DeliveryException e = failure(() -> runtime.send(new Known("second"), new AgentId("shared", "k2")).join());

        assertThat(e.reason()).isEqualTo(DeliveryFailure.AGENT_CREATION_FAILED);
        assertThat(e).hasMessageContaining("is already the agent shared/k1");
    }

    @Test
    @DisplayName("a malformed @Handles method: the agent cannot be made, and says why")
    void malformed_handler_method() {
        runtime.register("malformed", id -> new RoutedAgent() {
            @Handles
            @SuppressWarnings("unused")
            String twoMessages(Known a, Known b) {
                return "never";
            }
        });

        DeliveryException e = failure(() -> runtime.send(new Known("x"), new AgentId("malformed", "k")).join());

        assertThat(e.reason()).isEqualTo(DeliveryFailure.NO_HANDLER);
        assertThat(e).hasMessageContaining("must be an instance method taking (Message) or (Message, MessageContext)");
    }

    @Test
    @DisplayName("a payload Jackson cannot serialise still makes a dead letter, with the message as text")
    void unserialisable_payload() {
        runtime.publish(new Object() {
            @Override
            public String toString() {
                return "opaque";
            }
        }, topic);
        runtime.stopWhenIdle();

        assertThat(deadLetters.list()).singleElement().satisfies(letter -> {
            assertThat(letter.reason()).isEqualTo(DeliveryFailure.NO_HANDLER);
            assertThat(letter.envelope().payload().asText()).isEqualTo("opaque");
            assertThat(letter.detail()).contains("payload kept as text");
        });
    }

    @Test
    @DisplayName("registering an agent type twice is refused")
    void duplicate_registration() {
        assertThatThrownBy(() -> runtime.register("picky", id -> new Picky()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already registered");
    }
}
