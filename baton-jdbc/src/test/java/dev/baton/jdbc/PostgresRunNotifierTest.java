package dev.baton.jdbc;

import dev.baton.durable.RunNotifierConformance;
import dev.baton.durable.RunStore;

/** Two PostgreSQL run stores (two pools) on one database: readers on one are woken through LISTEN/NOTIFY by the other's writes. */
class PostgresRunNotifierTest extends RunNotifierConformance {

    private static final String URL = PostgresServer.createDatabase("run_notifier");

    @Override
    protected RunStore openStore() {
        return PostgresRunStore.open(URL, PostgresServer.user(), PostgresServer.password());
    }
}
