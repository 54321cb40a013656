package dev.baton.jdbc;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for a write handed to another thread, which always answers it. */
final class Waits {
    private Waits() {}

    /**
     * The result of {@code write}, waiting for it even when interrupted meanwhile (the interrupt
     * status is kept): the write may be in flight, and its caller must learn how it ended.
     */
    static <T> T uninterruptibly(Future<T> write) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return write.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
