package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Handlers: annotated methods and registered lambdas, by message type")
class HandlersTest {

    sealed interface Shape permits Circle, Square {}

    record Circle(double r) implements Shape {}

    record Square(double side) implements Shape {}

    record Ping(int n) {}

    record Pong(int n) {}

    record Name(String value) {}

    static final class Annotated extends RoutedAgent {
        @Handles
        Pong ping(Ping ping) {
            return new Pong(ping.n() + 1);
        }

        @Handles
        private String shape(Shape shape, MessageContext context) {
            return shape.getClass().getSimpleName() + (context.published() ? " published" : " sent");
        }

        @Handles
        String circle(Circle circle) {
            return "exactly a circle";
        }
    }

    static final class Lambdas extends RoutedAgent {
        String last = "";

        Lambdas() {
            answer(Ping.class, (ping, context) -> new Pong(ping.n() * 10));
            on(Name.class, (name, context) -> last = name.value());
            answer(Shape.class, (shape, context) -> "some shape");
        }
    }

    private final InProcessRuntime runtime = InProcessRuntime.create();

    @AfterEach
    void stop() {
        runtime.stop();
    }

    @Test
    @DisplayName("an @Handles method takes (Message) or (Message, MessageContext); its result is the reply")
    void annotated_methods() {
        runtime.register("a", id -> new Annotated());
        AgentId a = new AgentId("a", "1");

        assertThat(runtime.send(new Ping(1), a, Pong.class).join()).isEqualTo(new Pong(2));
        assertThat(runtime.send(new Square(2), a).join()).isEqualTo("Square sent");
    }

    @Test
    @DisplayName("the handler of a message's exact type wins over one of its supertype")
    void exact_type_first() {
        runtime.register("a", id -> new Annotated());
        assertThat(runtime.send(new Circle(1), new AgentId("a", "1")).join()).isEqualTo("exactly a circle");
    }

    @Test
    @DisplayName("lambdas registered with answer() reply, with on() reply null, and cover subtypes")
    void registered_lambdas() {
        Lambdas[] made = new Lambdas[1];
        runtime.register("l", id -> made[0] = new Lambdas());
        AgentId l = new AgentId("l", "1");

        assertThat(runtime.send(new Ping(4), l).join()).isEqualTo(new Pong(40));
        assertThat(runtime.send(new Name("Ada"), l).join()).isNull();
        assertThat(runtime.send(new Circle(1), l).join()).isEqualTo("some shape");
        assertThat(made[0].last).isEqualTo("Ada");
    }

    @Test
    @DisplayName("a second handler for the same type is refused when the agent is made")
    void duplicate_handlers_are_refused() {
        assertThatThrownBy(() -> new RoutedAgent() {
            {
                answer(Ping.class, (p, c) -> 1);
                answer(Ping.class, (p, c) -> 2);
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("already has a handler for " + Ping.class.getName());
    }

    @Test
    @DisplayName("an agent's id is not known in its constructor")
    void id_in_constructor() {
        assertThatThrownBy(() -> new RoutedAgent() {
            {
                id();
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("not in its constructor");
    }
}
