package dev.baton.jdbc;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Crash recovery on PostgreSQL (kill -9 of real JVMs)")
class PostgresCrashRecoveryTest extends CrashRecoveryContract {
    @Override
    String newStore() {
        return "postgres:" + PostgresServer.createDatabase("crash") + "|" + PostgresServer.user() + "|" + PostgresServer.password();
    }
}
