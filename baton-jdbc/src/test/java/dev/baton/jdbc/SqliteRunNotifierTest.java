package dev.baton.jdbc;

import dev.baton.durable.RunNotifierConformance;
import dev.baton.durable.RunStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Two SQLite run stores on one file, as two processes would have: readers on one are woken by the other's writes (a short poll). */
class SqliteRunNotifierTest extends RunNotifierConformance {

    @TempDir
    Path tempDir;

    @Override
    protected RunStore openStore() {
        return SqliteRunStore.open(tempDir.resolve("runs.db"));
    }
}
