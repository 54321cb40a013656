package dev.baton.run;

import dev.baton.CallbackFailed;
import dev.baton.item.RunItem;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events of one run: numbered, stamped by the engine's clock, kept by a journaling engine
 * and delivered to the stream and the listener. When nobody reads them they are not built at all
 * ({@link #observed()}). A run's own events come from its thread, in order; events of nested runs
 * come from their tool calls' threads, one delivery at a time.
 */
final class RunEvents<C> {
    private static final Logger log = LoggerFactory.getLogger(RunEvents.class);

    private final LoopState<C> state;
    private final Engine engine;
    private final boolean journaled;
    private final @Nullable Consumer<RunEvent> sink;
    private final @Nullable Consumer<RunEvent> listener;
    private final boolean observed;
    private final boolean streaming;
    /** Serialises delivery to the sink and listener: nested runs' events arrive from tool threads. */
    private final ReentrantLock delivery = new ReentrantLock();
    /** Whether the last event was delivered; guarded by {@link #delivery}. */
    private boolean delivered;

    RunEvents(LoopState<C> state, Engine engine, @Nullable Consumer<RunEvent> sink, @Nullable Consumer<RunEvent> listener,
            boolean streaming) {
        this.state = state;
        this.engine = engine;
        this.journaled = engine.journaled();
        this.sink = sink;
        this.listener = listener;
        this.observed = sink != null || listener != null || journaled;
        this.streaming = streaming;
    }

    /** Whether anyone reads the events; build one only if so. */
    boolean observed() {
        return observed;
    }

    boolean streaming() {
        return streaming;
    }

    /** The next event's sequence number. */
    long seq() {
        return state.seq++;
    }

    Instant now() {
        return engine.now();
    }

    /** The events of the items the model's response held, in order. */
    void items(List<RunItem> items) {
        if (!observed) {
            return;
        }
        String agent = state.agent.name();
        for (RunItem item : items) {
            Instant now = engine.now();
            emit(switch (item) {
                case RunItem.MessageItem m -> new RunEvent.MessageOutput(state.runId, seq(), agent, now, m);
                case RunItem.ReasoningItem r -> new RunEvent.ReasoningOutput(state.runId, seq(), agent, now, r);
                case RunItem.ToolCallItem t -> new RunEvent.ToolCalled(state.runId, seq(), agent, now, t);
                case RunItem.HandoffCallItem h -> new RunEvent.HandoffRequested(state.runId, seq(), agent, now, h);
                case RunItem.ToolOutputItem o -> throw new IllegalStateException("classification produced an output item");
                case RunItem.HandoffOutputItem o -> throw new IllegalStateException("classification produced an output item");
            });
        }
    }

    void emit(RunEvent event) {
        if (journaled && !(event instanceof RunEvent.TextDelta)) {
            if (event.isTerminal()) {
                try {
                    engine.event(event);
                } catch (RuntimeException e) {
                    // The outcome is decided and reported by the runner; a journal that fails now loses nothing recorded.
                    log.warn("journaling the last event of run {} failed", state.runId, e);
                }
            } else {
                engine.event(event);
            }
        }
        delivery.lock();
        try {
            if (event.isTerminal()) {
                delivered = true;
            }
            deliver(event);
        } finally {
            delivery.unlock();
        }
    }

    /** Where nested runs send their events, or null when nobody reads this run's. */
    RunContext.@Nullable NestedEvents nested() {
        return sink == null && listener == null ? null : new RunContext.NestedEvents(this::emitNested, streaming);
    }

    /**
     * An event of a nested run, from the thread of the tool call that runs it: to the stream and
     * listener (in turn with this run's own events), not to the journal, and not after this run's
     * last event (a nested run that outlived its timed-out call).
     */
    private void emitNested(RunEvent.Nested event) {
        delivery.lock();
        try {
            if (delivered) {
                return;
            }
            deliver(event);
        } catch (CallbackFailed e) {
            throw new NestedListenerFailed(state.runId, e);
        } finally {
            delivery.unlock();
        }
    }

    private void deliver(RunEvent event) {
        if (sink != null) {
            sink.accept(event);
        }
        if (listener != null) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                if (event.isTerminal()) {
                    // The run's outcome is decided; a listener must not turn it into a second ending.
                    log.warn("event listener failed on the last event of run {}", state.runId, e);
                    return;
                }
                throw new CallbackFailed("The run's event listener failed on " + event.getClass().getSimpleName()
                        + ": " + Callbacks.message(e), e);
            }
        }
    }
}
