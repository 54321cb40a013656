package dev.baton.jdbc;

import dev.baton.session.SessionStore;
import dev.baton.testing.SessionStoreConformance;

/** The PostgreSQL store passes the whole session conformance suite, on a real server and a database of its own. */
class PostgresSessionStoreConformanceTest extends SessionStoreConformance {

    private static final String URL = PostgresServer.createDatabase("session_conformance");

    @Override
    protected SessionStore createStore() {
        return PostgresSessionStore.open(URL, PostgresServer.user(), PostgresServer.password());
    }
}
