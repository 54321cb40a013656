package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Mailboxes: one message at a time per instance, in order; instances in parallel")
class MailboxOrderTest {

    record Numbered(int n) {}

    record Wait(CountDownLatch release) {}

    record Release(CountDownLatch latch) {}

    /** Records the order it handles numbers in, and how many of its handlers ever ran at once. */
    static final class Counter extends RoutedAgent {
        final List<Integer> seen = new ArrayList<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();

        @Handles
        void number(Numbered numbered) {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.yield();
            seen.add(numbered.n());
            running.decrementAndGet();
        }
    }

    /** Blocks on a latch another instance releases. */
    static final class Waiter extends RoutedAgent {
        @Handles
        Boolean await(Wait wait) throws InterruptedException {
            return wait.release().await(30, TimeUnit.SECONDS);
        }

        @Handles
        void release(Release release) {
            release.latch().countDown();
        }
    }

    private final InProcessRuntime runtime = InProcessRuntime.create();

    @AfterEach
    void stop() {
        runtime.stop();
    }

    @Test
    @DisplayName("an instance handles its messages one at a time, in the order they were published, from many publishers")
    void one_at_a_time_in_order() throws Exception {
        Counter counter = new Counter();
        runtime.register("counter", id -> counter);
        runtime.subscribe(Subscription.byType("numbers", "counter"));
        TopicId topic = new TopicId("numbers", "s1");

        for (int i = 0; i < 2_000; i++) {
            runtime.publish(new Numbered(i), topic);
        }
        List<CompletableFuture<Void>> publishers = IntStream.range(0, 8)
                .mapToObj(p -> CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 500; i++) {
                        runtime.publish(new Numbered(-1), topic);
                    }
                }))
                .toList();
        publishers.forEach(CompletableFuture::join);
        runtime.stopWhenIdle();

        assertThat(counter.mostAtOnce).hasValue(1);
        assertThat(counter.seen).hasSize(6_000);
        assertThat(counter.seen.stream().filter(n -> n >= 0).toList()).isEqualTo(IntStream.range(0, 2_000).boxed().toList());
    }

    @Test
    @DisplayName("different instances handle messages at the same time: one waits for what the other does")
    void instances_in_parallel() {
        runtime.register("waiter", id -> new Waiter());
        CountDownLatch latch = new CountDownLatch(1);

        CompletableFuture<Object> waiting = runtime.send(new Wait(latch), new AgentId("waiter", "a"));
        runtime.send(new Release(latch), new AgentId("waiter", "b")).join();

        assertThat(waiting.join()).as("a was released by b while a was still handling its message").isEqualTo(true);
    }

    @Test
    @DisplayName("handlers run on virtual threads")
    void virtual_threads() {
        List<Boolean> virtual = new CopyOnWriteArrayList<>();
        runtime.register("t", id -> new RoutedAgent() {
            {
                on(Numbered.class, (n, c) -> virtual.add(Thread.currentThread().isVirtual()));
            }
        });
        runtime.send(new Numbered(1), new AgentId("t", "1")).join();
        assertThat(virtual).containsExactly(true);
    }
}
