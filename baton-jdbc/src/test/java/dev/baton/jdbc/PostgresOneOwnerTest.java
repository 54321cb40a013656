package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.durable.DurableWorker;
import dev.baton.durable.ForwardingRunStore;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.durable.RunStore;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two workers polling one PostgreSQL while runs are started on both: however slowly the database
 * acknowledges a new run, each run is executed once, by the worker that started it.
 */
@DisplayName("Two workers on one PostgreSQL, runs started while they poll")
@Timeout(120)
class PostgresOneOwnerTest {
    @TempDir
    Path dir;

    @Test
    void a_run_started_while_both_workers_poll_is_executed_once_by_its_starter() throws Exception {
        String url = PostgresServer.createDatabase("one_owner");
        List<AutoCloseable> closing = new ArrayList<>();
        CrashDesk.Stores stores = CrashDesk.open("postgres:" + url + "|" + PostgresServer.user() + "|" + PostgresServer.password());
        closing.add(stores);
        try {
            CrashDesk desk = new CrashDesk(dir, "none", 0);
            List<DurableWorker> workers = new ArrayList<>();
            for (String id : List.of("worker-a", "worker-b")) {
                AtomicInteger polls = new AtomicInteger();
                RunStore slowToAcknowledge = new ForwardingRunStore(stores.runs()) {
                    @Override
                    public void createRun(RunRecord run) {
                        super.createRun(run);
                        // Stored and owned by this worker, not yet acknowledged: both workers poll twice meanwhile.
                        int seen = polls.get();
                        for (int i = 0; i < 500 && polls.get() < seen + 2; i++) {
                            try {
                                Thread.sleep(10);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    }

                    @Override
                    public List<String> claimable(Instant now, java.util.Set<String> applications, int limit) {
                        polls.incrementAndGet();
                        return super.claimable(now, applications, limit);
                    }
                };
                Runner runner = Runner.create(RunConfig.builder().defaultModel(desk.model()).sessionStore(stores.sessions()).build());
                DurableWorker worker = DurableWorker.builder(runner, slowToAcknowledge).agents(desk.triage()).workerId(id)
                        .lease(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).build().start();
                closing.add(worker);
                workers.add(worker);
            }

            List<RunHandle> runs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                runs.add(workers.get(i % 2).startRun(desk.triage(), "refund O-" + i + " " + (10 + i)));
            }

            for (int i = 0; i < runs.size(); i++) {
                RunRecord done = runs.get(i).await(Duration.ofSeconds(60)).orElseThrow();
                assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
                assertThat(done.finalOutput()).isEqualTo(CrashDesk.expectedOutput("O-" + i, 10 + i));
            }
            Map<String, Integer> asked = new HashMap<>();
            for (String line : Files.readAllLines(dir.resolve("model.log"))) {
                asked.merge(line.split(" ")[2], 1, Integer::sum);
            }
            assertThat(asked).as("triage, the refund call and the report of six runs").hasSize(18)
                    .allSatisfy((call, n) -> assertThat(n).as("asks of %s", call).isEqualTo(1));
            assertThat(Files.readAllLines(dir.resolve("invocations.log"))).as("one refund per run").hasSize(6);
        } finally {
            for (int i = closing.size() - 1; i >= 0; i--) {
                closing.get(i).close();
            }
        }
    }
}
