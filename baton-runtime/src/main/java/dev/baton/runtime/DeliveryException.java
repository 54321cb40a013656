package dev.baton.runtime;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The error a {@link AgentRuntime#send send}'s future completes with when the message was not
 * handled: the {@link #reason() reason}, the recipient, and the handler's exception as the cause
 * when a handler threw.
 */
public final class DeliveryException extends RuntimeException {

    private final DeliveryFailure reason;
    private final AgentId recipient;

    /** A failure to deliver to {@code recipient}, for {@code reason}. */
    public DeliveryException(DeliveryFailure reason, AgentId recipient, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.recipient = Objects.requireNonNull(recipient, "recipient");
    }

    /** Why the message was not handled. */
    public DeliveryFailure reason() {
        return reason;
    }

    /** The agent the message was for. */
    public AgentId recipient() {
        return recipient;
    }
}
