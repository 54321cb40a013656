package dev.baton.jdbc.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.durable.InMemoryRunStore;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.durable.RunStore;
import dev.baton.item.Message;
import dev.baton.jdbc.SqliteRunStore;
import dev.baton.model.Usage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Review specs of the SQLite run store. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class SqliteRunStoreRobustnessTest {
    @TempDir
    Path dir;

    private static RunRecord ownedWithoutLeaseTime(String id) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new RunRecord(id, RunRecord.DEFAULT_APPLICATION, "triage", "triage", null, List.of(Message.user("hi")), RunStatus.RUNNING, now, now,
                null, null, Usage.zero(), Map.of(), null, "worker-dead", null);
    }

    // ------------------------------------------------------------------------------------------
    // 11. A RUNNING run whose owner has no lease time is claimable in the in-memory and PostgreSQL
    //     stores ("A run whose owner has no lease time counts as having an expired lease",
    //     PostgresRunStore javadoc and FREE; InMemoryRunStore.claimable line 162-164) but never in
    //     SQLite: it is stuck there forever.
    //
    // Cause: SqliteRunStore CLAIM and CLAIMABLE (SqliteRunStore.java:108-113) test
    // `owner IS NULL OR lease_until < ?`; with lease_until NULL the comparison is NULL, not true.
    // RunStoreConformance has no case for it.
    // Fix: add `OR lease_until IS NULL` to both statements, and a conformance case.
    // ------------------------------------------------------------------------------------------
    @Test
    void a_running_run_owned_with_no_lease_time_is_claimable_as_in_the_other_stores() {
        Instant now = Instant.now();
        RunStore memory = new InMemoryRunStore();
        memory.createRun(ownedWithoutLeaseTime("r1"));
        assertThat(memory.claimable(now, java.util.Set.of(), 10)).as("in-memory store").containsExactly("r1");

        try (SqliteRunStore sqlite = SqliteRunStore.open(dir.resolve("baton.db"))) {
            sqlite.createRun(ownedWithoutLeaseTime("r1"));

            assertThat(sqlite.claimable(now, java.util.Set.of(), 10)).as("SQLite store").containsExactly("r1");
            assertThat(sqlite.claim("r1", "worker-2", now, now.plusSeconds(30))).isTrue();
        }
    }

    // Checked, and found correct (kept as a regression spec): closing while many callers wait on
    // the group commit releases every caller, committed or with a StoreException.
    @Test
    void closing_the_store_while_many_writers_wait_releases_every_one_of_them() throws Exception {
        SqliteRunStore sqlite = SqliteRunStore.open(dir.resolve("close.db"));
        for (int r = 0; r < 20; r++) {
            sqlite.createRun(ownedWithoutLeaseTime("r" + r));
        }
        CountDownLatch started = new CountDownLatch(20);
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        for (int r = 0; r < 20; r++) {
            String runId = "r" + r;
            writers.add(CompletableFuture.runAsync(() -> {
                started.countDown();
                for (long seq = 0; ; seq++) {
                    try {
                        sqlite.appendEvents(List.of(new RecordedEvent(runId, seq, "TurnStarted", "triage", Instant.now(), "{}")));
                    } catch (dev.baton.jdbc.StoreException e) {
                        return;
                    } catch (Throwable t) {
                        unexpected.add(t);
                        return;
                    }
                }
            }, r2 -> Thread.ofVirtual().start(r2)));
        }
        started.await(5, TimeUnit.SECONDS);
        Thread.sleep(100);
        sqlite.close();

        assertThat(CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)))
                .succeedsWithin(Duration.ofSeconds(5));
        assertThat(unexpected).isEmpty();
    }
}
