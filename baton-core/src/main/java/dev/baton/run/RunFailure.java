package dev.baton.run;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Why a run failed, as data: the error's class name and message. A run store keeps this, not the
 * exception, so a {@link RunEvent.RunFailed} read back in another process (a CLI, a web server, a
 * worker after a restart) says what went wrong without needing the exception's class.
 *
 * @param type the error's class name, such as {@code dev.baton.MaxTurnsExceeded}
 * @param message the error's message, or null if it had none
 */
public record RunFailure(String type, @Nullable String message) {

    public RunFailure {
        Objects.requireNonNull(type, "type");
        if (type.isBlank()) {
            throw new IllegalArgumentException("a run failure's type is the error's class name, not blank");
        }
    }

    /** The failure {@code error} describes. */
    public static RunFailure of(Throwable error) {
        return new RunFailure(error.getClass().getName(), error.getMessage());
    }

    /** The class name without its package or enclosing class, such as {@code MaxTurnsExceeded}. */
    public String simpleType() {
        return type.substring(Math.max(type.lastIndexOf('.'), type.lastIndexOf('$')) + 1);
    }

    /** One line for people: {@code MaxTurnsExceeded: Max turns (10) exceeded}, or the simple type alone without a message. */
    public String summary() {
        return message == null ? simpleType() : simpleType() + ": " + message;
    }
}
