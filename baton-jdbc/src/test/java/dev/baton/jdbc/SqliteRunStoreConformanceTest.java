package dev.baton.jdbc;

import dev.baton.durable.RunStore;
import dev.baton.durable.RunStoreConformance;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite run store passes the whole run-store conformance suite, on a fresh file per test. */
class SqliteRunStoreConformanceTest extends RunStoreConformance {

    @TempDir
    Path tempDir;

    @Override
    protected RunStore createStore() {
        return SqliteRunStore.open(tempDir.resolve("runs.db"));
    }
}
