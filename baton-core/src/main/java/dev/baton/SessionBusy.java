package dev.baton;

import org.jspecify.annotations.Nullable;

/**
 * A run could not take its session: another run, in this process or another, held it for longer
 * than the run was willing to wait (see {@link dev.baton.run.RunOptions#withSessionWait}). The
 * run did nothing: it read no history and wrote nothing; run it again later.
 */
public final class SessionBusy extends BatonException {
    private final String sessionId;
    private final @Nullable String holder;

    public SessionBusy(String message, String sessionId, @Nullable String holder) {
        super(message);
        this.sessionId = sessionId;
        this.holder = holder;
    }

    /** The session that was busy. */
    public String sessionId() {
        return sessionId;
    }

    /** Who held the session when the wait ended, if the store still knew (it may have just let go). */
    public @Nullable String holder() {
        return holder;
    }
}
