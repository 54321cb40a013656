package dev.baton.jdbc;

import dev.baton.durable.RunStore;
import dev.baton.durable.RunStoreConformance;

/** The PostgreSQL store passes the whole run-store conformance suite, on a real server and a database of its own. */
class PostgresRunStoreConformanceTest extends RunStoreConformance {

    private static final String URL = PostgresServer.createDatabase("run_conformance");

    @Override
    protected RunStore createStore() {
        return PostgresRunStore.open(URL, PostgresServer.user(), PostgresServer.password());
    }
}
