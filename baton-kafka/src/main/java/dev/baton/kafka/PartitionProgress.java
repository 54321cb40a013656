package dev.baton.kafka;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The records of one partition that a worker took and has not committed yet, in offset order. The
 * commit position moves past a record only once it and every record before it are done, so no
 * commit ever passes a record still being handled. Records are added and the position advanced by
 * the consumer's thread only; a record is marked done (or abandoned) from any thread.
 */
final class PartitionProgress {

    /** One record's progress. */
    static final class Slot {

        final long offset;
        private final Consumer<Slot> onSettled;
        private volatile boolean done;
        private volatile boolean abandoned;
        private boolean settled;

        private Slot(long offset, Consumer<Slot> onSettled) {
            this.offset = offset;
            this.onSettled = onSettled;
        }

        /** The record's effects are durable: its offset may be committed. */
        void done() {
            done = true;
            settle();
        }

        /** The record was given up without being handled: it must not be committed, another worker takes it. */
        void abandon() {
            abandoned = true;
            settle();
        }

        boolean isDone() {
            return done;
        }

        boolean isAbandoned() {
            return abandoned;
        }

        private void settle() {
            synchronized (this) {
                if (settled) {
                    return;
                }
                settled = true;
            }
            onSettled.accept(this);
        }
    }

    private final ArrayDeque<Slot> slots = new ArrayDeque<>();

    /** Tracks the record at {@code offset}; {@code onSettled} runs once when it is done or abandoned. */
    Slot add(long offset, Consumer<Slot> onSettled) {
        Slot slot = new Slot(offset, onSettled);
        slots.addLast(slot);
        return slot;
    }

    /**
     * Forgets the done records at the head and returns the offset to commit after them (the next
     * record's), or -1 if the head is not done.
     */
    long advance() {
        long next = -1;
        while (!slots.isEmpty() && slots.peekFirst().isDone()) {
            next = slots.pollFirst().offset + 1;
        }
        return next;
    }

    /** Whether every record taken is done or abandoned. */
    boolean settled() {
        for (Slot slot : slots) {
            if (!slot.isDone() && !slot.isAbandoned()) {
                return false;
            }
        }
        return true;
    }

    /** How many records are tracked (not yet committed). */
    int size() {
        return slots.size();
    }
}
