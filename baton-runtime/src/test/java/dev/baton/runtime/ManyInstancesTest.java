package dev.baton.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Many instances are cheap: no thread per instance")
class ManyInstancesTest {

    record Greet(int n) {}

    @Test
    @DisplayName("10,000 sessions each get their own instance, all handled, with no platform thread per instance")
    void ten_thousand_instances() {
        AtomicInteger handled = new AtomicInteger();
        InProcessRuntime runtime = InProcessRuntime.create();
        runtime.register("greeter", id -> new RoutedAgent() {
            {
                on(Greet.class, (greet, context) -> handled.incrementAndGet());
            }
        });
        runtime.subscribe(Subscription.byType("greetings", "greeter"));
        int platformThreadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();

        for (int i = 0; i < 10_000; i++) {
            runtime.publish(new Greet(i), new TopicId("greetings", "session-" + i));
            runtime.publish(new Greet(i), new TopicId("greetings", "session-" + i));
        }
        int platformThreadsDuring = ManagementFactory.getThreadMXBean().getThreadCount();
        runtime.stopWhenIdle();

        assertThat(handled).hasValue(20_000);
        assertThat(runtime.instanceCount()).isEqualTo(10_000);
        assertThat(platformThreadsDuring - platformThreadsBefore)
                .as("platform threads added (virtual threads' carriers at most)")
                .isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors() + 2);
    }
}
