package dev.baton;

/**
 * A fenced write into a session was refused because the writer no longer holds the session: its
 * lease expired (a long pause, a lost connection) and another owner took the session since. The
 * write changed nothing; the run stops, and the session keeps the history its new holder writes.
 */
public final class SessionLeaseLost extends BatonException {
    private final String sessionId;

    public SessionLeaseLost(String message, String sessionId) {
        super(message);
        this.sessionId = sessionId;
    }

    /** The session the writer had lost. */
    public String sessionId() {
        return sessionId;
    }
}
