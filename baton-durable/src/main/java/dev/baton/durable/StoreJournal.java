package dev.baton.durable;

import dev.baton.RunStoreFailed;
import dev.baton.run.RunEvent;
import dev.baton.run.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The journal of one durable run over a {@link RunStore}, where its {@link JournaledEngine} keeps
 * and finds its steps. The effects and decisions an earlier
 * execution recorded are loaded once, when the run first asks for one: after it holds its session,
 * so an execution that waited for the session reads what the one before it recorded meanwhile. Events are buffered and written
 * together with the next effect (and at the end), so a run costs a few store writes per turn,
 * not one per event; events lost in a crash are produced again by the replay, with the same
 * sequence numbers.
 */
final class StoreJournal {
    private final String runId;
    private final RunStore store;
    private final Map<String, Effect> recorded = new HashMap<>();
    private final Map<String, Approval> approvals = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private List<RecordedEvent> buffered = new ArrayList<>();
    private final Runnable onEvents;
    private final java.util.function.Supplier<@Nullable String> leaseLapse;
    private final String owner;
    /** The agent holding the run, as the events tell (top-level handoffs only). */
    private String currentAgent;
    /** Whether {@link #currentAgent} changed since it was last written with an effect. */
    private boolean agentChanged;
    private volatile @Nullable Unrecorded unrecorded;
    /** Whether what earlier executions recorded has been read; see {@link #ensureLoaded()}. */
    private boolean loaded;

    /** A finished effect (a tool's or a model's result) and its events that the store failed to record. */
    record Unrecorded(List<RecordedEvent> events, Effect effect) {}

    /**
     * @param owner the worker executing the run: the store writes the current agent only while it holds the lease
     * @param currentAgent the agent holding the run as it is stored
     * @param load whether to read what earlier executions recorded (false for a run just created,
     *     which has recorded nothing)
     */
    StoreJournal(String runId, RunStore store, String owner, String currentAgent, Runnable onEvents, boolean load) {
        this(runId, store, owner, currentAgent, onEvents, load, () -> null);
    }

    /**
     * @param leaseLapse why the run's lease may have lapsed, or null while it surely holds; asked
     *     before each step, which is not taken when it may have lapsed
     */
    StoreJournal(String runId, RunStore store, String owner, String currentAgent, Runnable onEvents, boolean load,
            java.util.function.Supplier<@Nullable String> leaseLapse) {
        this.leaseLapse = leaseLapse;
        this.runId = runId;
        this.store = store;
        this.owner = owner;
        this.currentAgent = currentAgent;
        this.onEvents = onEvents;
        this.loaded = !load;
    }

    /** Reads what earlier executions recorded, the first time the run asks (under {@link #lock}). */
    private void ensureLoaded() {
        if (loaded) {
            return;
        }
        for (Effect e : call(() -> store.effects(runId), "read the journal")) {
            recorded.putIfAbsent(e.key(), e);
        }
        for (Approval a : call(() -> store.approvals(runId), "read the approvals")) {
            approvals.put(a.turn() + "/" + a.callId(), a);
        }
        loaded = true;
    }

    String runId() {
        return runId;
    }

    /**
     * The effect an earlier execution recorded under this key, or null if there is none. Asked
     * before each step: a run whose lease may have lapsed stops here instead.
     */
    @Nullable Effect recorded(String key) {
        String lapse = leaseLapse.get();
        if (lapse != null) {
            throw new dev.baton.RunCancelled("Run " + runId + " stopped here before its step " + key + ": " + lapse);
        }
        Effect e;
        lock.lock();
        try {
            ensureLoaded();
            e = recorded.get(key);
        } finally {
            lock.unlock();
        }
        return e;
    }

    /**
     * Records an effect, started or done, with the events buffered since the last write; returns
     * once the store holds it.
     */
    void write(Effect effect) {
        List<RecordedEvent> events;
        String handedTo;
        lock.lock();
        try {
            ensureLoaded();
            events = takeBuffered();
            handedTo = agentChanged ? currentAgent : null;
            agentChanged = false;
        } finally {
            lock.unlock();
        }
        try {
            call(() -> {
                // A handoff since the last effect: the run's current agent rides with this write.
                if (handedTo != null) {
                    store.record(events, effect, handedTo, owner);
                } else {
                    store.record(events, effect);
                }
                return null;
            }, "record " + effect.kind().name().toLowerCase(java.util.Locale.ROOT) + " effect " + effect.key());
        } catch (RunStoreFailed e) {
            if (effect.status() == Effect.Status.DONE) {
                unrecorded = new Unrecorded(events, effect);
            }
            if (handedTo != null) {
                lock.lock();
                try {
                    agentChanged = true;
                } finally {
                    lock.unlock();
                }
            }
            throw e;
        }
        lock.lock();
        try {
            recorded.put(effect.key(), effect);
        } finally {
            lock.unlock();
        }
        if (!events.isEmpty()) {
            onEvents.run();
        }
    }

    /** The decision recorded on a tool call of a turn, or null while there is none. */
    RunState.@Nullable Decision decision(int turn, String callId) {
        Approval a;
        lock.lock();
        try {
            ensureLoaded();
            a = approvals.get(turn + "/" + callId);
        } finally {
            lock.unlock();
        }
        if (a == null || a.status() == Approval.Status.PENDING) {
            return null;
        }
        return new RunState.Decision(a.status() == Approval.Status.APPROVED, a.message());
    }

    /** Buffers an event, written with the next effect; a handoff's new agent is written at once. */
    void event(RunEvent event) {
        RecordedEvent e = EventCodec.record(event);
        String handedTo = null;
        lock.lock();
        try {
            buffered.add(e);
            if (event instanceof RunEvent.AgentUpdated updated && !updated.agent().equals(currentAgent)) {
                currentAgent = updated.agent();
                agentChanged = true;
                handedTo = currentAgent;
            }
        } finally {
            lock.unlock();
        }
        if (handedTo != null) {
            // Written at once, not with the next effect: the new agent's first model call (a human
            // agent's question to a person) may take long, and the run is held by it meanwhile.
            try {
                if (store.updateCurrentAgent(runId, handedTo, owner, Instant.now())) {
                    lock.lock();
                    try {
                        agentChanged = !handedTo.equals(currentAgent);
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (RuntimeException failed) {
                // Not lost: the next effect's write carries the agent (agentChanged stays set).
            }
        }
        // The last event is written by the runner with the run's outcome, in one write; a failure
        // only once the runner knows the run ended (a run stopped by a closing runner or a store
        // outage is resumed, and its history must not show a failure).
    }

    /** The agent holding the run now, as its events tell. */
    String currentAgent() {
        lock.lock();
        try {
            return currentAgent;
        } finally {
            lock.unlock();
        }
    }

    /** Writes the buffered events. */
    void flush() {
        List<RecordedEvent> out = takeBuffered();
        if (out.isEmpty()) {
            return;
        }
        call(() -> {
            store.appendEvents(out);
            return null;
        }, "append " + out.size() + " events");
        onEvents.run();
    }

    /** The finished effect whose write failed and stopped the run, if that is how it stopped. */
    @Nullable Unrecorded unrecorded() {
        return unrecorded;
    }

    /** Forgets the buffered events: the run stopped short and a replay will produce them again. */
    void discard() {
        takeBuffered();
    }

    /** The events not written yet, handed over to be written with the run's outcome. */
    List<RecordedEvent> takeBuffered() {
        lock.lock();
        try {
            if (buffered.isEmpty()) {
                return List.of();
            }
            List<RecordedEvent> out = buffered;
            buffered = new ArrayList<>();
            return out;
        } finally {
            lock.unlock();
        }
    }

    private <T> T call(Supplier<T> op, String what) {
        try {
            return op.get();
        } catch (RunStoreFailed e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RunStoreFailed("The run store failed to " + what + " of run " + runId + ": " + message(e)
                    + ". Nothing recorded is lost; the run stays resumable.", e);
        }
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
