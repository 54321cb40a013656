package dev.baton.durable;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Subscribers by run id, called on the publisher's thread. */
final class InProcessRunNotifier implements RunNotifier {
    private static final Logger log = LoggerFactory.getLogger(InProcessRunNotifier.class);

    /**
     * The notifier of stores that have none of their own: one per JVM. Run ids are unique, so stores
     * sharing it cost each other nothing but a map lookup.
     */
    static final RunNotifier SHARED = new InProcessRunNotifier(false);

    private final Map<String, Set<Runnable>> subscribers = new ConcurrentHashMap<>();
    /** False for {@link #SHARED}, which outlives every store that closes it. */
    private final boolean closable;

    InProcessRunNotifier() {
        this(true);
    }

    private InProcessRunNotifier(boolean closable) {
        this.closable = closable;
    }

    @Override
    public void publish(String runId) {
        Objects.requireNonNull(runId, "runId");
        Set<Runnable> set = subscribers.get(runId);
        if (set == null) {
            return;
        }
        for (Runnable onChange : set) {
            try {
                onChange.run();
            } catch (RuntimeException e) {
                log.warn("a subscriber of run {} failed on a change: {}", runId, e.toString());
            }
        }
    }

    @Override
    public Subscription subscribe(String runId, Runnable onChange) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(onChange, "onChange");
        // A wrapper per subscription: the same Runnable subscribed twice is two subscriptions.
        Runnable entry = onChange::run;
        subscribers.compute(runId, (id, set) -> {
            Set<Runnable> s = set != null ? set : ConcurrentHashMap.newKeySet();
            s.add(entry);
            return s;
        });
        return () -> subscribers.computeIfPresent(runId, (id, set) -> {
            set.remove(entry);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public void close() {
        if (closable) {
            subscribers.clear();
        }
    }
}
