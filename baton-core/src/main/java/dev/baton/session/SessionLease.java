package dev.baton.session;

import java.time.Instant;
import java.util.Objects;

/**
 * One owner's hold on a session in its {@link SessionStore}: what lets a run write the session
 * while other runs, in this process or others, wait. The store hands out a larger {@code token}
 * each time the session changes hands, and takes a fenced write only from the lease holding the
 * latest token, so a run that lost the session (its lease expired and another run took it)
 * cannot write into it any more.
 *
 * @param sessionId the session held
 * @param owner who holds it, as told to {@link SessionStore#tryLease}
 * @param token the fencing token: larger for every new holder of the session
 * @param expiresAt when the lease ends unless renewed; after that another owner may take the session
 */
public record SessionLease(String sessionId, String owner, long token, Instant expiresAt) {
    public SessionLease {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
