package dev.baton.jdbc;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * News of runs written by other processes to a SQLite file: SQLite has no way to tell another
 * process of a commit, so a thread started by the first subscription reads, every
 * {@link #INTERVAL}, a cheap mark of each run followed here (its status, update time and last
 * event's sequence number, by primary key) and wakes the subscribers of the runs whose mark
 * changed. It reads nothing while nobody follows a run. Writes made through this store wake its
 * subscribers at once.
 */
final class SqliteNotifier extends StoreNotifier {
    private static final Logger log = LoggerFactory.getLogger(SqliteNotifier.class);

    /** How often the marks are read: the longest another process's change waits to be noticed here. */
    static final Duration INTERVAL = Duration.ofMillis(100);

    private final String name;
    /** Reads the marks of these runs (a run not found has none). */
    private final Function<List<String>, Map<String, String>> marks;
    private final Map<String, String> known = new HashMap<>();
    private volatile Thread poller;

    SqliteNotifier(String name, Function<List<String>, Map<String, String>> marks) {
        this.name = name;
        this.marks = marks;
    }

    @Override
    void start() {
        Thread t = daemon("baton-run-notifier-" + name, this::poll);
        poller = t;
        t.start();
    }

    private void poll() {
        while (!closed) {
            try {
                Thread.sleep(INTERVAL);
            } catch (InterruptedException e) {
                return;
            }
            List<String> followed = followed();
            known.keySet().retainAll(followed);
            if (followed.isEmpty()) {
                continue;
            }
            Map<String, String> now;
            try {
                now = marks.apply(followed);
            } catch (RuntimeException e) {
                // The marks read last stay: a change made meanwhile shows at the next read that works.
                log.debug("{}: reading the marks of followed runs failed: {}", name, e.toString());
                continue;
            }
            for (String runId : followed) {
                String mark = now.getOrDefault(runId, "");
                // A run seen for the first time wakes its subscribers: it may have changed since they subscribed.
                if (!known.containsKey(runId) || !Objects.equals(known.get(runId), mark)) {
                    known.put(runId, mark);
                    publish(runId);
                }
            }
        }
    }

    @Override
    void stop() {
        Thread t = poller;
        if (t != null) {
            t.interrupt();
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
