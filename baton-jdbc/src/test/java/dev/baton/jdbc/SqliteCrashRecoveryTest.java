package dev.baton.jdbc;

import org.junit.jupiter.api.DisplayName;

@DisplayName("Crash recovery on SQLite (kill -9 of real JVMs)")
class SqliteCrashRecoveryTest extends CrashRecoveryContract {
    @Override
    String newStore() {
        return "sqlite:" + dir.resolve("baton.db");
    }
}
