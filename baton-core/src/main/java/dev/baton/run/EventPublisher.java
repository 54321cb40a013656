package dev.baton.run;

import java.util.Iterator;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** Adapts a {@link RunStream} to {@link Flow.Publisher}: a virtual thread pulls events as demand allows. */
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
        Thread pump = Thread.ofVirtual().name("baton-publisher").unstarted(() -> {
            try {
                Iterator<RunEvent> events = stream.iterator();
                while (!cancelled.get() && events.hasNext()) {
                    while (demand.get() == 0 && !cancelled.get()) {
                        LockSupport.park(this);
                    }
                    if (cancelled.get()) {
                        return;
                    }
                    demand.decrementAndGet();
                    subscriber.onNext(events.next());
                }
                if (!cancelled.get()) {
                    subscriber.onComplete();
                }
            } catch (Throwable t) {
                subscriber.onError(t);
            }
        });
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                if (n <= 0) {
                    cancelled.set(true);
                    subscriber.onError(new IllegalArgumentException("request must be positive (§3.9), got " + n));
                    LockSupport.unpark(pump);
                    return;
                }
                demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
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
