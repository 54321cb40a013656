package dev.baton.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.item.Message;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunEvent;
import dev.baton.run.RunStream;
import dev.baton.run.Runner;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PublisherTest {

    @Test
    void a_subscription_ended_by_an_invalid_request_stops_the_run() throws Exception {
        Agent<Void> a = Agent.<Void>builder("a").model(request -> {
            try {
                Thread.sleep(30_000); // a slow model call, interruptible
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted", e);
            }
            return new ModelResponse(List.of(Message.assistant("late")), Usage.of(1, 1));
        }).build();
        RunStream stream = Runner.create().stream(a, "hi");
        stream.publisher().subscribe(new Flow.Subscriber<RunEvent>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(0); // §3.9: the publisher signals onError and the subscription is over
            }

            @Override
            public void onNext(RunEvent item) {}

            @Override
            public void onError(Throwable throwable) {}

            @Override
            public void onComplete() {}
        });
        // Nobody can receive the run's events any more; the run should be stopped like cancel() does,
        // whether the stop comes before the slow model call or interrupts it.
        assertThat(stream.resultFuture()).failsWithin(3, TimeUnit.SECONDS)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(dev.baton.RunCancelled.class);
        stream.close();
    }
}
