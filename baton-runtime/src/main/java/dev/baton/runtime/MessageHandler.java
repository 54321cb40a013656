package dev.baton.runtime;

import org.jspecify.annotations.Nullable;

/**
 * A handler registered as a lambda with {@link RoutedAgent#answer}: it receives the message and
 * its context and returns the reply (or {@code null}).
 *
 * @param <M> the message type
 */
@FunctionalInterface
public interface MessageHandler<M> {

    /** Handles {@code message}; what it returns is the reply to a send. */
    @Nullable Object handle(M message, MessageContext context);
}
