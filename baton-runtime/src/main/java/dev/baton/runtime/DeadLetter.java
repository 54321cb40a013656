package dev.baton.runtime;

import java.time.Instant;
import java.util.Objects;

/**
 * A published message that was not handled, kept by the runtime's {@link DeadLetters} instead of
 * being dropped.
 *
 * @param envelope the message, serialised, with its topic and the subscriber it was for
 * @param reason why it was not handled
 * @param detail a sentence for a person: which agent, which type, the handler's error
 * @param at when it was given up
 */
public record DeadLetter(Envelope envelope, DeliveryFailure reason, String detail, Instant at) {

    public DeadLetter {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(at, "at");
    }
}
