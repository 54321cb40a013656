package dev.baton;

/**
 * The session store failed while a run read or wrote its session (a database down, a full disk).
 * The run stops; what it produced before is attached, and items already saved stay saved.
 */
public final class SessionStoreFailed extends BatonException {
    public SessionStoreFailed(String message, Throwable cause) {
        super(message, cause);
    }
}
