package dev.baton.kafka;

import dev.baton.runtime.handoff.SeedDesk;
import dev.baton.human.HumanQueue;
import dev.baton.jdbc.SqliteRunStore;
import dev.baton.jdbc.SqliteSessionStore;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.runtime.InMemoryDeadLetters;
import dev.baton.runtime.handoff.HandoffDesk;
import dev.baton.runtime.handoff.Person;
import dev.baton.runtime.handoff.RuntimeHumans;
import dev.baton.testing.ScriptedModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The processes of seed 001's desk on Kafka, in one JVM: workers hosting the desk's agents in one
 * consumer group, their turns journaled in one SQLite file they share, and a console hosting the
 * customer and the operator in a group of its own. Each has its own stores on the file, as separate
 * processes would. Closing stops them all.
 */
final class DeskProcesses implements AutoCloseable {
    static final String DESK = "acme-seed";

    /** A worker: the desk's agents on a runtime of the desk's group. */
    record Worker(KafkaRuntime runtime, HandoffDesk<Void> desk, InMemoryDeadLetters deadLetters) {}

    /** The console: the customer's proxy and the operator on a runtime of its own group. */
    record Console(KafkaRuntime runtime, HandoffDesk<Void> desk, SqliteSessionStore sessions, InMemoryDeadLetters deadLetters) {}

    private final KafkaBroker broker;
    private final String prefix;
    private final Path db;
    private final SeedDesk seed;
    private final ScriptedModel model;
    private final Duration timeout;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /**
     * @param prefix the topic prefix, which also names the groups
     * @param timeout the runtimes' client timeout (how long a write waits for a broker that is down)
     */
    DeskProcesses(KafkaBroker broker, String prefix, Path db, SeedDesk seed, ScriptedModel model, Duration timeout) {
        this.broker = broker;
        this.prefix = prefix;
        this.db = db;
        this.seed = seed;
        this.model = model;
        this.timeout = timeout;
    }

    Path db() {
        return db;
    }

    KafkaSettings settings(String clientId, String group) {
        return broker.settings(clientId, prefix + group).withTopicPrefix(prefix).withTimeout(timeout);
    }

    Worker worker(String name) {
        SqliteSessionStore sessions = opened(SqliteSessionStore.open(db));
        SqliteRunStore runs = opened(SqliteRunStore.open(db));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
        RuntimeHumans humans = new RuntimeHumans();
        HandoffDesk<Void> desk = opened(HandoffDesk.builder(seed.team(humans).agent("triage_agent"), runner).name(DESK)
                .journaled(runs, Duration.ofSeconds(10)).build());
        InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();
        KafkaRuntime runtime = opened(KafkaRuntime.builder(settings(name, "desk-workers")).deadLetters(deadLetters).partitions(4).build());
        desk.host(runtime);
        humans.bind(runtime);
        return new Worker(runtime, desk, deadLetters);
    }

    /** The console: hosts {@code customer}'s proxy, and the operator answering the human agent from {@code people}. */
    Console console(Person customer, HumanQueue people) {
        SqliteSessionStore sessions = opened(SqliteSessionStore.open(db));
        Runner addressOnly = Runner.create(RunConfig.builder().defaultModel(ScriptedModel.create()).sessionStore(sessions).build());
        HandoffDesk<Void> desk = opened(HandoffDesk.builder(seed.team(new RuntimeHumans()).agent("triage_agent"), addressOnly)
                .name(DESK).build());
        InMemoryDeadLetters deadLetters = new InMemoryDeadLetters();
        KafkaRuntime runtime = opened(KafkaRuntime.builder(settings("console", "console")).deadLetters(deadLetters).partitions(4).build());
        RuntimeHumans.hostOperator(runtime, people);
        desk.hostUser(runtime, customer);
        return new Console(runtime, desk, sessions, deadLetters);
    }

    private <T extends AutoCloseable> T opened(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    @Override
    public void close() throws Exception {
        List<AutoCloseable> last = new ArrayList<>(opened);
        Collections.reverse(last);
        for (AutoCloseable c : last) {
            c.close();
        }
    }

    static void await(java.util.function.BooleanSupplier condition, Duration wait, String what) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + wait + " for: " + what);
            }
            Thread.sleep(50);
        }
    }
}
