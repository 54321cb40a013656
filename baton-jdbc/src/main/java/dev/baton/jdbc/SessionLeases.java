package dev.baton.jdbc;

import dev.baton.SessionLeaseLost;
import dev.baton.session.SessionLease;
import java.time.Duration;
import java.util.Objects;

/** Checks and errors shared by the SQLite and PostgreSQL session stores' leases. */
final class SessionLeases {
    private SessionLeases() {}

    static void requireValid(String sessionId, String owner, Duration ttl) {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(ttl, "ttl");
        if (owner.isBlank()) {
            throw new IllegalArgumentException("A session lease's owner must not be blank");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("A session lease must last a positive time, got " + ttl);
        }
    }

    static SessionLeaseLost lost(SessionLease lease, String what) {
        return new SessionLeaseLost("Cannot " + what + " session '" + lease.sessionId() + "': " + lease.owner()
                + " no longer holds it (lease " + lease.token() + " was taken over)", lease.sessionId());
    }
}
