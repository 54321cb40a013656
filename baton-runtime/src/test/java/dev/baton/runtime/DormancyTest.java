package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Instances of agents that allow it are let go between messages, keeping only their saved state. */
@DisplayName("Dormant instances")
class DormancyTest {

    record Add(int n) {}

    static final AtomicInteger made = new AtomicInteger();
    static final AtomicInteger inside = new AtomicInteger();
    static final AtomicInteger mostInside = new AtomicInteger();

    /** Counts what it is sent; its whole state is the count, which it saves. */
    static final class Counter extends RoutedAgent {
        final boolean dormant;
        final List<Integer> totals;
        int count;

        Counter(boolean dormant, List<Integer> totals) {
            this.dormant = dormant;
            this.totals = totals;
            made.incrementAndGet();
            on(Add.class, (add, context) -> {
                int now = inside.incrementAndGet();
                mostInside.accumulateAndGet(now, Math::max);
                count += add.n();
                synchronized (totals) {
                    totals.add(count);
                }
                inside.decrementAndGet();
            });
        }

        @Override
        protected boolean dormantWhenIdle() {
            return dormant;
        }

        @Override
        public JsonNode saveState() {
            return count == 0 ? JsonNodeFactory.instance.objectNode() : JsonNodeFactory.instance.objectNode().put("count", count);
        }

        @Override
        public void loadState(JsonNode state) {
            count = state.path("count").asInt();
        }
    }

    final InProcessRuntime runtime = InProcessRuntime.create();
    final List<Integer> totals = new ArrayList<>();

    @AfterEach
    void stop() {
        runtime.close();
        made.set(0);
        inside.set(0);
        mostInside.set(0);
    }

    @Test
    void an_agent_that_allows_it_is_made_again_for_its_next_message_and_gets_its_saved_state() throws Exception {
        runtime.register("counter", id -> new Counter(true, totals));

        for (int n : new int[] {2, 3, 4}) {
            runtime.send(new Add(n), new AgentId("counter", "s1")).get();
            runtime.awaitIdle(); // the instance is let go once its delivery has settled
        }

        assertThat(totals).containsExactly(2, 5, 9);
        assertThat(made).as("a new instance per message, each given the state the last one saved").hasValue(3);
        assertThat(runtime.saveState().get("agents")).singleElement()
                .satisfies(a -> assertThat(a.get("state").get("count").asInt()).isEqualTo(9));
    }

    @Test
    void an_agent_that_does_not_allow_it_stays() throws Exception {
        runtime.register("counter", id -> new Counter(false, totals));

        for (int n : new int[] {2, 3}) {
            runtime.send(new Add(n), new AgentId("counter", "s1")).get();
            runtime.awaitIdle();
        }

        assertThat(made).hasValue(1);
        assertThat(totals).containsExactly(2, 5);
    }

    @Test
    void concurrent_messages_to_one_dormant_agent_are_handled_one_at_a_time_and_none_is_lost() throws Exception {
        runtime.register("counter", id -> new Counter(true, totals));
        runtime.subscribe(Subscription.byType("adds", "counter"));
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            senders.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 500; i++) {
                    runtime.publish(new Add(1), new TopicId("adds", "s1"));
                }
            }));
        }
        for (Thread sender : senders) {
            sender.join();
        }
        runtime.stopWhenIdle();

        assertThat(totals).hasSize(4_000).last().isEqualTo(4_000);
        assertThat(mostInside).as("never two instances of one agent at once").hasValue(1);
    }
}
