package dev.baton.runtime;

import java.util.ArrayDeque;
import java.util.List;

/**
 * Keeps the latest dead letters in memory, at most a given number (the oldest go first), for tests
 * and for a process to show what it could not deliver.
 */
public final class InMemoryDeadLetters implements DeadLetters {

    private final int capacity;
    private final ArrayDeque<DeadLetter> letters = new ArrayDeque<>();

    /** Keeps the latest 10,000. */
    public InMemoryDeadLetters() {
        this(10_000);
    }

    /** Keeps the latest {@code capacity}. */
    public InMemoryDeadLetters(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public synchronized void add(DeadLetter letter) {
        if (letters.size() == capacity) {
            letters.removeFirst();
        }
        letters.addLast(letter);
    }

    /** The dead letters kept, oldest first. */
    public synchronized List<DeadLetter> list() {
        return List.copyOf(letters);
    }
}
