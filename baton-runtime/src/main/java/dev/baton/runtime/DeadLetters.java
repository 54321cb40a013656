package dev.baton.runtime;

/**
 * Where the runtime puts the {@link DeadLetter}s of published messages nobody handled. The default
 * is an {@link InMemoryDeadLetters}; a distributed runtime writes them to a dead-letter topic. The
 * runtime also logs each one as a warning.
 */
@FunctionalInterface
public interface DeadLetters {

    /** Keeps {@code letter}; called on the thread that gave the message up, so it should not block long. */
    void add(DeadLetter letter);
}
