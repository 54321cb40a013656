package dev.baton.trace;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues finished traces and spans and hands them to a {@link TraceExporter} in batches, from one
 * virtual thread, so that a run never waits for an exporter's I/O.
 *
 * <p>The export thread wakes every {@linkplain Builder#scheduleDelay schedule delay}, or earlier once
 * a batch's worth has queued up, and exports everything queued in batches of at most {@linkplain
 * Builder#maxBatchSize max batch size} items (traces and spans together). When the queue is full
 * (an exporter too slow for the load), new items are dropped rather than blocking the run: the first
 * drop is logged at WARN, and {@link #droppedCount()} counts them all.
 *
 * <p>Starts and ends of traces and spans are not exported separately: only the end of each, with its
 * final data, is queued.
 */
public final class BatchTraceProcessor implements TraceProcessor {
    private static final Logger log = LoggerFactory.getLogger(BatchTraceProcessor.class);

    private final TraceExporter exporter;
    private final int maxBatchSize;
    private final int maxQueueSize;
    private final long scheduleDelayNanos;
    private final int wakeThreshold;
    private final ArrayBlockingQueue<Object> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean dropWarned = new AtomicBoolean();
    private final Semaphore wake = new Semaphore(0);
    // Serialises exports (worker, flush, shutdown) so an exporter never sees two at once.
    private final ReentrantLock exportLock = new ReentrantLock();
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private volatile boolean shuttingDown;
    private boolean exporterShutDown; // guarded by exportLock
    private final Thread worker;

    private BatchTraceProcessor(Builder b) {
        this.exporter = b.exporter;
        this.maxQueueSize = b.maxQueueSize;
        this.maxBatchSize = b.maxBatchSize;
        this.scheduleDelayNanos = b.scheduleDelay.toNanos();
        // Wake early at a full batch, or at 70% of the queue if that comes first, to keep headroom.
        this.wakeThreshold = Math.max(1, Math.min(maxBatchSize, (int) (maxQueueSize * 0.7)));
        this.queue = new ArrayBlockingQueue<>(maxQueueSize);
        this.worker = Thread.ofVirtual().name("baton-trace-export").start(this::work);
    }

    /** A builder for a processor that exports to {@code exporter}. */
    public static Builder builder(TraceExporter exporter) {
        return new Builder(exporter);
    }

    @Override
    public void onTraceStart(Trace trace) {}

    @Override
    public void onTraceEnd(Trace trace) {
        enqueue(trace);
    }

    @Override
    public void onSpanStart(Span span) {}

    @Override
    public void onSpanEnd(Span span) {
        enqueue(span);
    }

    /** Exports everything queued so far, on the calling thread, and returns when the exporter has it. */
    @Override
    public void forceFlush() {
        exportQueued();
    }

    /** Exports what is queued, stops the export thread and shuts the exporter down. Idempotent. */
    @Override
    public void shutdown() {
        if (!shutdownStarted.compareAndSet(false, true)) {
            return;
        }
        shuttingDown = true;
        wake.release();
        exportLock.lock();
        try {
            exportQueuedLocked();
            exporterShutDown = true;
            try {
                exporter.shutdown();
            } catch (Throwable t) {
                Processors.failed(exporter, "shutdown", t);
            }
        } finally {
            exportLock.unlock();
        }
    }

    /** How many traces and spans were dropped because the queue was full. */
    public long droppedCount() {
        return dropped.get();
    }

    /** How many traces and spans wait for export. */
    public int queuedCount() {
        return queue.size();
    }

    private void enqueue(Object item) {
        if (shuttingDown) {
            return;
        }
        if (!queue.offer(item)) {
            dropped.incrementAndGet();
            if (dropWarned.compareAndSet(false, true)) {
                log.warn("Trace export queue is full ({} items); dropping traces and spans. "
                        + "The exporter {} is slower than the runs; see droppedCount().",
                        maxQueueSize, exporter.getClass().getName());
            }
            return;
        }
        if (queue.size() >= wakeThreshold && wake.availablePermits() == 0) {
            wake.release();
        }
    }

    private void work() {
        while (!shuttingDown) {
            try {
                wake.tryAcquire(scheduleDelayNanos, TimeUnit.NANOSECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                // Only shutdown wakes this thread on purpose; go round and check.
                continue;
            }
            if (!shuttingDown) {
                exportQueued();
            }
        }
    }

    private void exportQueued() {
        exportLock.lock();
        try {
            exportQueuedLocked();
        } finally {
            exportLock.unlock();
        }
    }

    private void exportQueuedLocked() {
        if (exporterShutDown) {
            return;
        }
        List<Object> batch = new ArrayList<>(Math.min(maxBatchSize, 1024));
        while (queue.drainTo(batch, maxBatchSize) > 0) {
            List<Trace> traces = new ArrayList<>();
            List<Span> spans = new ArrayList<>(batch.size());
            for (Object o : batch) {
                if (o instanceof Span s) {
                    spans.add(s);
                } else {
                    traces.add((Trace) o);
                }
            }
            batch.clear();
            try {
                exporter.export(List.copyOf(traces), List.copyOf(spans));
            } catch (Throwable t) {
                Processors.failed(exporter, "export", t);
            }
        }
    }

    @Override
    public String toString() {
        return "BatchTraceProcessor[" + exporter.getClass().getSimpleName() + ", queued=" + queue.size()
                + ", dropped=" + dropped.get() + "]";
    }

    /** Settings of a {@link BatchTraceProcessor}. */
    public static final class Builder {
        private final TraceExporter exporter;
        private int maxQueueSize = 8192;
        private int maxBatchSize = 128;
        private Duration scheduleDelay = Duration.ofSeconds(5);

        private Builder(TraceExporter exporter) {
            this.exporter = Objects.requireNonNull(exporter, "exporter");
        }

        /** Most traces and spans waiting for export; beyond it new ones are dropped. Default 8192. */
        public Builder maxQueueSize(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxQueueSize must be at least 1, got " + value);
            }
            this.maxQueueSize = value;
            return this;
        }

        /** Most traces and spans in one call of the exporter. Default 128. */
        public Builder maxBatchSize(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxBatchSize must be at least 1, got " + value);
            }
            this.maxBatchSize = value;
            return this;
        }

        /** Longest wait between exports while fewer than a batch are queued. Default 5 s. */
        public Builder scheduleDelay(Duration value) {
            Objects.requireNonNull(value, "scheduleDelay");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("scheduleDelay must be positive, got " + value);
            }
            this.scheduleDelay = value;
            return this;
        }

        /** Builds the processor and starts its export thread. */
        public BatchTraceProcessor build() {
            return new BatchTraceProcessor(this);
        }
    }
}
