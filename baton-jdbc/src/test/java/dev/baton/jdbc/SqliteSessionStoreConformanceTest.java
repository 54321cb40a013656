package dev.baton.jdbc;

import dev.baton.session.SessionStore;
import dev.baton.testing.SessionStoreConformance;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite store passes the whole session conformance suite, on a real file. */
class SqliteSessionStoreConformanceTest extends SessionStoreConformance {

    @TempDir
    Path tempDir;

    @Override
    protected SessionStore createStore() {
        return SqliteSessionStore.open(tempDir.resolve("baton.db"));
    }
}
