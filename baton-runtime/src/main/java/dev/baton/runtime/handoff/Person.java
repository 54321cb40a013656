package dev.baton.runtime.handoff;

import java.util.Optional;

/**
 * The person behind a {@link UserAgent}: a console, a scripted customer in a test, a web page
 * waiting for the next message. Each method may block until the person has written (handlers run
 * on virtual threads); an empty answer ends the session.
 */
public interface Person {

    /** The person's first message on {@code session}, just logged in. */
    Optional<String> firstMessage(String session);

    /** Hears an agent's answer; returns the person's next message. */
    Optional<String> reply(String session, AgentResponse answer);

    /** Hears that an agent waits for approvals (shown to the person while they wait); nothing to answer. */
    default void waiting(String session, ApprovalRequired approval) {}

    /** Hears that an agent's turn failed; returns the person's next message. The default ends the session. */
    default Optional<String> afterFailure(String session, TurnFailed failure) {
        return Optional.empty();
    }
}
