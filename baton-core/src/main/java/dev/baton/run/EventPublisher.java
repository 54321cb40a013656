package dev.baton.run;

import java.util.Iterator;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Adapts a {@link RunStream} to {@link Flow.Publisher}: one virtual thread pulls events as demand
 * allows and sends every signal, so signals never overlap. A subscription that ends early (cancel,
 * an invalid request, a subscriber that throws) stops the run, since nobody reads it any more.
 */
final class EventPublisher implements Flow.Publisher<RunEvent> {
    private final RunStream stream;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    EventPublisher(RunStream stream) {
        this.stream = stream;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super RunEvent> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            subscriber.onError(new IllegalStateException("this publisher supports a single subscriber"));
            return;
        }
        AtomicLong demand = new AtomicLong();
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicReference<Throwable> invalidRequest = new AtomicReference<>();
        Thread pump = Thread.ofVirtual().name("baton-publisher").unstarted(() -> {
            try {
                Iterator<RunEvent> events = stream.iterator();
                while (events.hasNext()) {
                    while (demand.get() == 0 && !cancelled.get()) {
                        LockSupport.park(this);
                    }
                    if (cancelled.get()) {
                        stream.close();
                        Throwable error = invalidRequest.get();
                        if (error != null) {
                            subscriber.onError(error);
                        }
                        return;
                    }
                    demand.decrementAndGet();
                    subscriber.onNext(events.next());
                }
                subscriber.onComplete();
            } catch (Throwable t) {
                // The subscriber broke the contract by throwing (§2.13): the subscription is over.
                cancelled.set(true);
                stream.close();
            }
        });
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                if (n <= 0) {
                    invalidRequest.compareAndSet(null, new IllegalArgumentException("request must be positive (§3.9), got " + n));
                    cancelled.set(true);
                } else {
                    demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                }
                LockSupport.unpark(pump);
            }

            @Override
            public void cancel() {
                cancelled.set(true);
                stream.close();
                LockSupport.unpark(pump);
            }
        });
        pump.start();
    }
}
