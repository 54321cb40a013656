package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Lifecycle: stopWhenIdle waits for cascades, stop cancels and refuses")
class LifecycleTest {

    /** Passed along a chain of agents: each hop publishes the next one. */
    record Hop(int remaining) {}

    record Hold(CountDownLatch started) {}

    record Tick(int n) {}

    static final class Relay extends RoutedAgent {
        private final AtomicInteger hops;

        Relay(AtomicInteger hops) {
            this.hops = hops;
        }

        @Handles
        void hop(Hop hop) {
            hops.incrementAndGet();
            if (hop.remaining() > 0) {
                String next = id().type().equals("ping") ? "to_pong" : "to_ping";
                publish(new Hop(hop.remaining() - 1), new TopicId(next, id().key()));
            }
        }
    }

    static final class Holder extends RoutedAgent {
        final List<Integer> ticks = new CopyOnWriteArrayList<>();
        volatile boolean sawCancel;

        @Handles
        String hold(Hold hold, MessageContext context) throws InterruptedException {
            CountDownLatch cancelled = new CountDownLatch(1);
            context.cancellation().onCancel(cancelled::countDown);
            hold.started().countDown();
            sawCancel = cancelled.await(30, TimeUnit.SECONDS);
            return "released";
        }

        @Handles
        void tick(Tick tick) {
            ticks.add(tick.n());
        }
    }

    private final InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();
    private final InProcessRuntime runtime = InProcessRuntime.builder().deadLetters(deadLetters).build();

    @Test
    @DisplayName("stopWhenIdle returns only after the messages handlers published, and theirs, are handled")
    void stop_when_idle_waits_for_cascades() {
        AtomicInteger hops = new AtomicInteger();
        runtime.register("ping", id -> new Relay(hops));
        runtime.register("pong", id -> new Relay(hops));
        runtime.subscribe(Subscription.byType("to_ping", "ping"));
        runtime.subscribe(Subscription.byType("to_pong", "pong"));

        for (int session = 0; session < 50; session++) {
            runtime.publish(new Hop(200), new TopicId("to_ping", "s" + session));
        }
        runtime.stopWhenIdle();

        assertThat(hops).hasValue(50 * 201);
        assertThat(deadLetters.list()).isEmpty();
    }

    @Test
    @DisplayName("stop cancels the running handler, fails what is queued, and refuses what comes after")
    void stop() throws Exception {
        Holder holder = new Holder();
        runtime.register("holder", id -> holder);
        runtime.subscribe(Subscription.byType("ticks", "holder"));
        AgentId id = new AgentId("holder", "h");
        Hold hold = new Hold(new CountDownLatch(1));

        CompletableFuture<Object> held = runtime.send(hold, id);
        assertThat(hold.started().await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Object> queuedSend = runtime.send(new Tick(1), id);
        runtime.publish(new Tick(2), new TopicId("ticks", "h"));
        runtime.stop();

        assertThat(holder.sawCancel).as("the running handler was told").isTrue();
        assertThat(held.join()).isEqualTo("released");
        assertThat(holder.ticks).as("nothing queued ran after stop").isEmpty();
        assertThatThrownBy(queuedSend::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(DeliveryException.class)
                .extracting(e -> ((DeliveryException) e).reason()).isEqualTo(DeliveryFailure.STOPPED);

        runtime.publish(new Tick(3), new TopicId("ticks", "h"));
        assertThat(deadLetters.list()).extracting(DeadLetter::reason)
                .containsExactly(DeliveryFailure.STOPPED, DeliveryFailure.STOPPED);
        assertThat(deadLetters.list()).extracting(d -> d.envelope().payload().get("n").asInt()).containsExactly(2, 3);
        assertThatThrownBy(() -> runtime.send(new Tick(4), id).join()).cause()
                .isInstanceOf(DeliveryException.class).hasMessageContaining("stopped");
    }

    @Test
    @DisplayName("a handler cannot call stopWhenIdle, which would wait for itself; it can call stop")
    void stop_from_a_handler() {
        runtime.register("quitter", id -> new RoutedAgent() {
            {
                answer(Tick.class, (tick, context) -> {
                    if (tick.n() == 0) {
                        runtime().stopWhenIdle();
                    }
                    runtime().stop();
                    return "stopped";
                });
            }
        });
        AgentId quitter = new AgentId("quitter", "q");

        assertThatThrownBy(() -> runtime.send(new Tick(0), quitter).join()).cause()
                .isInstanceOf(DeliveryException.class).hasMessageContaining("stopWhenIdle() from a handler");
        assertThat(runtime.send(new Tick(1), quitter).join()).isEqualTo("stopped");
        runtime.stopWhenIdle();
        assertThatThrownBy(() -> runtime.send(new Tick(2), quitter).join()).cause()
                .isInstanceOf(DeliveryException.class).hasMessageContaining("stopped");
    }
}
