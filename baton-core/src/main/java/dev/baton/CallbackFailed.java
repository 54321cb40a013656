package dev.baton;

/**
 * Application code called by the run (an on-handoff callback, an instructions function, an
 * enabling check, an input filter) threw. The message names the callback; the cause is the
 * original exception.
 */
public final class CallbackFailed extends BatonException {
    public CallbackFailed(String message, Throwable cause) {
        super(message, cause);
    }
}
