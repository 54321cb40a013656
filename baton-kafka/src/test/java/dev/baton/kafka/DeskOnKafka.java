package dev.baton.kafka;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tests of the seed's desk on Kafka share: one broker for the class (its group heartbeats
 * every half second, so a worker that goes is noticed soon), a folder for the desk's SQLite file,
 * the processes of a test, stopped after it, and whether the test still runs (for its manager).
 */
abstract class DeskOnKafka {
    static KafkaBroker broker;

    @TempDir
    Path dir;

    final AtomicBoolean open = new AtomicBoolean(true);
    DeskProcesses processes;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.startWithQuickGroups();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void close() throws Exception {
        open.set(false);
        if (processes != null) {
            processes.close();
        }
    }
}
