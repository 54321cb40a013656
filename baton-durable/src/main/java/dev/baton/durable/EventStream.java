package dev.baton.durable;

import dev.baton.run.RunEvent;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The events of one durable run, read from the store in order and followed live until the run
 * ends or pauses. Iterating blocks while the run is going and no new event is recorded yet, until
 * the store's {@link RunStore#notifier() notifier} announces one (or the runner's poll interval passes).
 * Iterated directly it gives the events as recorded; {@link #runEvents()} gives them typed.
 */
public final class EventStream implements Iterable<RecordedEvent>, AutoCloseable {
    private static final int BATCH = 256;
    private final DurableClient runner;
    private final String runId;
    private long next;
    private final ArrayDeque<RecordedEvent> ready = new ArrayDeque<>();
    private boolean done;
    private volatile boolean closed;

    EventStream(DurableClient runner, String runId, long fromSeq) {
        this.runner = runner;
        this.runId = runId;
        this.next = Math.max(0, fromSeq);
    }

    @Override
    public Iterator<RecordedEvent> iterator() {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return fill();
            }

            @Override
            public RecordedEvent next() {
                if (!fill()) {
                    throw new NoSuchElementException();
                }
                RecordedEvent e = ready.poll();
                EventStream.this.next = e.seq() + 1;
                return e;
            }
        };
    }

    public Stream<RecordedEvent> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /**
     * The same events read back as typed {@link RunEvent}s (see {@link RecordedEvent#toEvent()}).
     * It reads this stream: {@link #nextSeq()} follows what it has consumed.
     *
     * @throws IllegalArgumentException when it reaches an event this version of Baton cannot read
     */
    public Stream<RunEvent> runEvents() {
        return stream().map(RecordedEvent::toEvent);
    }

    /** The sequence number the next event will have: where a new stream resumes after this one. */
    public long nextSeq() {
        return next;
    }

    private boolean fill() {
        // Subscribed only while this call waits: a stream left unclosed holds no subscription.
        RunWatch watch = null;
        try {
            while (ready.isEmpty() && !done && !closed) {
                long seen = watch == null ? 0 : watch.version();
                // Read liveness before events, so an event recorded just before the run settles is not missed.
                boolean live = runner.isLive(runId);
                ready.addAll(runner.events(runId, next, BATCH));
                if (ready.isEmpty()) {
                    if (!live) {
                        done = true;
                    } else if (watch == null) {
                        // Subscribed after the read: read once more before waiting, so no event between the two is missed.
                        watch = runner.watch(runId);
                    } else {
                        watch.await(seen, runner.pollInterval().toNanos());
                    }
                }
            }
        } finally {
            if (watch != null) {
                watch.close();
            }
        }
        return !ready.isEmpty();
    }

    @Override
    public void close() {
        closed = true;
    }
}
