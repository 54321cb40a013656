package dev.baton.durable;

import dev.baton.RunCancelled;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One run executing in this process, from the moment it is reserved (recorded or being claimed)
 * until its thread ends. The flags say why a run thread stopped, which decides whether its outcome
 * is recorded or the run is left resumable; a client's handle reads the failure and waits for the
 * end through {@link DurableClient.LocalExecution}.
 */
final class Execution implements DurableClient.LocalExecution {
    final String runId;
    /** When this process reserved the run: its claim or creation is at least this recent. */
    final long reservedAt = System.nanoTime();
    /** The run as claimed or started; set when the execution is launched. */
    volatile RunRecord record;
    /** The run's thread; null until launched (the run is being recorded or claimed). */
    volatile @Nullable Thread thread;
    volatile boolean cancelRequested;
    /** Stopped from outside without ending the run: this worker closes, or lost the run's lease. */
    volatile boolean stopping;
    /** Stopped before a step because its lease may have lapsed: taken up again here unless another worker holds it. */
    volatile boolean lapsed;
    /** The run returned or paused: its outcome is being written, with or without its lease. */
    volatile boolean settling;
    volatile @Nullable RuntimeException failure;
    /** The run as the store holds it once its end was written; read by waiting handles after {@link #awaitEnd}. */
    volatile @Nullable RunRecord endRecord;
    /** What the runner returned, once its completion is recorded ({@link #endRecord} set); for {@link RunHandle#localResult()}. */
    volatile dev.baton.run.@Nullable RunResult result;
    private final CountDownLatch end = new CountDownLatch(1);

    Execution(String runId) {
        this.runId = runId;
    }

    void ended() {
        end.countDown();
    }

    void interrupt() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    void stop() {
        stopping = true;
        interrupt();
    }

    @Override
    public @Nullable RuntimeException failure() {
        return failure;
    }

    @Override
    public @Nullable RunRecord endRecord() {
        return endRecord;
    }

    @Override
    public boolean awaitEnd(long nanos) {
        try {
            return end.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunCancelled("Interrupted while waiting for a durable run");
        }
    }
}
