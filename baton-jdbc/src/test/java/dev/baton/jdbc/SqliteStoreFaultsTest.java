package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.agent.Agent;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.Effect;
import dev.baton.durable.ForwardingRunStore;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.durable.RunStore;
import dev.baton.RunStoreFailed;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.tool.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Store faults stay recoverable: a database SQLite may only read is refused at open, a full one
 * fails the write with the file and the cause, and once there is room again the same store, and
 * the same worker, carry on.
 */
@DisplayName("SQLite stores under store faults")
@Timeout(30)
class SqliteStoreFaultsTest {

    /** SQLite's default page limit: what a connection has when nobody lowered it. */
    private static final String ROOM_AGAIN = "PRAGMA max_page_count = 4294967294";
    /** The file may not grow: every write that needs a new page fails with SQLITE_FULL. */
    private static final String DISK_FULL = "PRAGMA max_page_count = 1";
    /** Larger than the free space of a small file, so that recording it needs new pages. */
    private static final String LARGE = "x".repeat(200_000);

    @TempDir
    Path dir;

    // ---- read-only files

    @Test
    @DisplayName("a file SQLite can only read is refused at open, naming the file and the cause, by both stores")
    void a_read_only_file_is_refused_at_open() {
        Path file = dir.resolve("baton.db");
        SqliteRunStore.open(file).close(); // a migrated file, as a previous process left it

        // What SQLite does, without an error, with a file this process may not write: it opens it read-only.
        assertThatThrownBy(() -> SqliteRunStore.open(file, SqliteRunStore.Options.defaults(), c -> c.setReadOnly(true)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("Cannot open the SQLite run store " + file)
                .hasMessageContaining("SQLite can only read it")
                .hasMessageContaining("readonly database")
                .satisfies(e -> assertThat(((StoreException) e).database()).isEqualTo(file.toString()));
        assertThatThrownBy(() -> SqliteSessionStore.open(file, SqliteSessionStore.DEFAULT_BUSY_TIMEOUT, c -> c.setReadOnly(true)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("Cannot open the SQLite session store " + file)
                .hasMessageContaining("SQLite can only read it");

        try (SqliteRunStore writable = SqliteRunStore.open(file)) { // nothing was lost or left locked
            writable.createRun(run("r1"));
            assertThat(writable.findRun("r1")).isPresent();
        }
    }

    @Test
    @DisplayName("a file made read-only with its permissions is refused at open (where permissions bind this user)")
    void a_file_without_write_permission_is_refused_at_open() throws Exception {
        Path file = dir.resolve("baton.db");
        SqliteRunStore.open(file).close();
        assertThat(file.toFile().setWritable(false, false)).isTrue();
        try {
            Assumptions.assumeFalse(Files.isWritable(file), "this user can write to read-only files (root)");
            assertThatThrownBy(() -> SqliteRunStore.open(file))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("SQLite can only read it");
        } finally {
            file.toFile().setWritable(true, false);
        }
    }

    // ---- a full disk

    @Test
    @DisplayName("a write that finds the disk full fails with the file and the cause, and the store writes again once there is room")
    void a_full_disk_fails_the_write_and_the_store_recovers() {
        Path file = dir.resolve("baton.db");
        try (SqliteRunStore store = SqliteRunStore.open(file)) {
            store.createRun(run("r1"));
            store.executeOnWriter(DISK_FULL);

            for (int attempt = 1; attempt <= 2; attempt++) { // the second write meets the same fault, not a broken statement
                assertThatThrownBy(() -> store.recordEffect(largeEffect("r1")))
                        .as("attempt %d", attempt)
                        .isInstanceOf(StoreException.class)
                        .hasMessageContaining("The SQLite run store " + file + " failed to record effect 't1/call_1' of run 'r1'")
                        .hasMessageContaining("database or disk is full");
            }

            store.executeOnWriter(ROOM_AGAIN);
            store.recordEffect(largeEffect("r1"));

            assertThat(store.effects("r1")).singleElement().satisfies(e -> assertThat(e.result()).contains(LARGE));
            assertThat(store.claim("r1", "w2", Instant.now(), Instant.now().plusSeconds(30))).isTrue();
        }
    }

    @Test
    @DisplayName("a run stopped by a full disk is completed by the same worker once there is room, without a restart")
    void a_worker_resumes_a_run_by_itself_once_the_disk_has_room() throws Exception {
        Path file = dir.resolve("baton.db");
        CountDownLatch inTool = new CountDownLatch(1);
        CountDownLatch diskFull = new CountDownLatch(1);
        AtomicInteger lookups = new AtomicInteger();
        Tool<Void> lookup = Tool.<Void, Order>of("lookup", "Look an order up.", Order.class, (ctx, o) -> {
            if (lookups.incrementAndGet() == 1) {
                inTool.countDown();
                diskFull.await();
            }
            return "order " + o.orderId() + ": " + LARGE;
        });
        Agent<Void> desk = Agent.<Void>builder("desk").instructions("Look orders up.").tools(lookup).build();
        Model model = request -> {
            Item last = request.lastInput();
            Item out = last instanceof ToolOutput o ? Message.assistant("Found " + o.output().length() + " characters")
                    : new ToolCall("call_1", "lookup", "{\"order_id\":\"O-1\"}");
            return new ModelResponse(List.of(out), Usage.of(10, 2));
        };

        try (SqliteRunStore store = SqliteRunStore.open(file);
                DurableWorker worker = DurableWorker.builder(Runner.create(RunConfig.builder().defaultModel(model).build()), store)
                        .agents(desk).lease(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).build().start()) {
            RunHandle handle = worker.startRun(desk, "look up O-1");
            assertThat(inTool.await(10, TimeUnit.SECONDS)).isTrue();
            store.executeOnWriter(DISK_FULL);
            diskFull.countDown();

            assertThatThrownBy(handle::result)
                    .isInstanceOf(RunStoreFailed.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("database or disk is full");
            RunRecord stopped = store.findRun(handle.id()).orElseThrow();
            assertThat(stopped.status()).isEqualTo(RunStatus.RUNNING); // stopped, not ended: resumable

            store.executeOnWriter(ROOM_AGAIN);

            RunRecord done = resultOnceResumed(handle);
            assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(done.finalOutput()).contains("Found " + ("order O-1: " + LARGE).length() + " characters");
            assertThat(store.effects(handle.id())).filteredOn(e -> e.key().equals("t1/call_1"))
                    .singleElement().satisfies(e -> assertThat(e.status()).isEqualTo(Effect.Status.DONE));
        }
    }

    @Test
    @DisplayName("while the disk stays full a worker that tries the run again calls no tool twice, and completes it with the first result")
    void a_worker_retrying_during_the_fault_does_not_repeat_a_call() throws Exception {
        Path file = dir.resolve("baton.db");
        CountDownLatch inTool = new CountDownLatch(1);
        CountDownLatch diskFull = new CountDownLatch(1);
        AtomicInteger lookups = new AtomicInteger();
        Tool<Void> lookup = Tool.<Void, Order>of("lookup", "Look an order up.", Order.class, (ctx, o) -> {
            if (lookups.incrementAndGet() == 1) {
                inTool.countDown();
                diskFull.await();
            }
            return "order " + o.orderId() + " (lookup " + lookups.get() + "): " + LARGE;
        });
        Agent<Void> desk = Agent.<Void>builder("desk").instructions("Look orders up.").tools(lookup).build();
        Model model = request -> {
            Item last = request.lastInput();
            Item out = last instanceof ToolOutput o ? Message.assistant(o.output().split(":")[0])
                    : new ToolCall("call_1", "lookup", "{\"order_id\":\"O-1\"}");
            return new ModelResponse(List.of(out), Usage.of(10, 2));
        };
        CountDownLatch failedWrites = new CountDownLatch(2); // the run's own, then the worker's next try
        try (SqliteRunStore sqlite = SqliteRunStore.open(file)) {
            RunStore store = new ForwardingRunStore(sqlite) {
                @Override
                public void record(List<RecordedEvent> events, Effect effect) {
                    try {
                        super.record(events, effect);
                    } catch (StoreException e) {
                        failedWrites.countDown();
                        throw e;
                    }
                }
            };
            try (DurableWorker worker = DurableWorker.builder(Runner.create(RunConfig.builder().defaultModel(model).build()), store)
                    .agents(desk).lease(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).build().start()) {
                RunHandle handle = worker.startRun(desk, "look up O-1");
                assertThat(inTool.await(10, TimeUnit.SECONDS)).isTrue();
                sqlite.executeOnWriter(DISK_FULL);
                diskFull.countDown();
                assertThat(failedWrites.await(20, TimeUnit.SECONDS)).as("the worker tried the run again while the disk was full").isTrue();

                sqlite.executeOnWriter(ROOM_AGAIN);

                RunRecord done = resultOnceResumed(handle);
                assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(done.finalOutput()).contains("order O-1 (lookup 1)");
                assertThat(lookups).hasValue(1);
                assertThat(sqlite.effects(handle.id())).filteredOn(e -> e.key().equals("t1/call_1")).singleElement()
                        .satisfies(e -> assertThat(e.attempts()).isEqualTo(1));
            }
        }
    }

    record Order(String orderId) {}

    /** The run's result, once the worker has taken it back: until then the handle reports the failure that stopped it. */
    private static RunRecord resultOnceResumed(RunHandle handle) throws InterruptedException {
        while (true) {
            try {
                return handle.result();
            } catch (RunStoreFailed stillStopped) {
                Thread.sleep(20);
            }
        }
    }

    private static RunRecord run(String id) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new RunRecord(id, RunRecord.DEFAULT_APPLICATION, "desk", "desk", null, List.of(Message.user("hi")), RunStatus.RUNNING, now, now,
                null, null, Usage.zero(), Map.of(), null, null, null);
    }

    private static Effect largeEffect(String runId) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new Effect(runId, "t1/call_1", Effect.Kind.TOOL, Effect.Status.DONE, "desk", "lookup", "{}",
                "{\"output\":\"" + LARGE + "\"}", 1, now, now, null);
    }
}
