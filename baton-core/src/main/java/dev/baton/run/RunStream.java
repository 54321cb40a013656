package dev.baton.run;

import dev.baton.BatonException;
import dev.baton.RunCancelled;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The events of a running run, in order, ending with {@link RunEvent.RunCompleted} or
 * {@link RunEvent.RunFailed}. Iterate it once (the iterator blocks until the next event), then
 * read {@link #result()}. Closing it stops the run: no further model or tool calls are made.
 *
 * <pre>{@code
 * try (RunStream events = runner.stream(triage, "My invoice is wrong")) {
 *     for (RunEvent e : events) {
 *         if (e instanceof RunEvent.TextDelta d) System.out.print(d.delta());
 *     }
 *     RunResult result = events.result();
 * }
 * }</pre>
 */
public final class RunStream implements AutoCloseable, Iterable<RunEvent> {
    private final LinkedBlockingQueue<RunEvent> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<RunResult> result = new CompletableFuture<>();
    private final Cancellation cancellation;
    private final AtomicBoolean iterated = new AtomicBoolean();
    private volatile boolean closed;

    RunStream(Cancellation cancellation) {
        this.cancellation = cancellation;
    }

    private volatile boolean terminalOffered;

    void offer(RunEvent event) {
        if (event.isTerminal()) {
            terminalOffered = true;
        }
        queue.add(event);
    }

    void complete(RunResult value) {
        result.complete(value);
    }

    void fail(Throwable error) {
        if (!terminalOffered) {
            // The run failed before it could report it (e.g. rejected before its first event):
            // end the iteration anyway, so no reader waits forever.
            offer(new RunEvent.RunFailed(error instanceof dev.baton.BatonException b && b.runId() != null ? b.runId() : "",
                    0, "", java.time.Instant.now(), error));
        }
        result.completeExceptionally(error);
    }

    /**
     * The events. Single use: a second call throws {@link IllegalStateException}.
     */
    @Override
    public Iterator<RunEvent> iterator() {
        if (!iterated.compareAndSet(false, true)) {
            throw new IllegalStateException("a RunStream can be iterated once");
        }
        return new Iterator<>() {
            private @Nullable RunEvent next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                if (done) {
                    return false;
                }
                try {
                    next = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    done = true;
                    return false;
                }
                if (next.isTerminal()) {
                    done = true;
                }
                return true;
            }

            @Override
            public RunEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                RunEvent e = next;
                next = null;
                return e;
            }
        };
    }

    /**
     * Waits for the run to end and returns its result.
     *
     * @throws BatonException the run's own error, if it failed
     */
    public RunResult result() {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunCancelled("interrupted while waiting for the run's result");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The result as a future, completed when the run ends. */
    public CompletableFuture<RunResult> resultFuture() {
        return result.copy();
    }

    /** Stops the run if it is still going. Events already produced can still be read. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (!result.isDone()) {
                cancellation.cancel();
            }
        }
    }

    /**
     * The events as a {@link Flow.Publisher} for one subscriber, honouring its demand. Uses this
     * stream's single iteration; cancelling the subscription closes the stream.
     */
    public Flow.Publisher<RunEvent> publisher() {
        return new EventPublisher(this);
    }
}
