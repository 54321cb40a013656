package dev.baton.jdbc;

import static dev.baton.testing.Steps.fail;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.InMemoryRunStore;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.durable.RunStore;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.testing.ScriptedModel;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A handle waiting in the process that executed its run gets the run without reading it back
 * from the store: what it gets must be exactly what the store holds, for every store.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class LocalResultTest {
    @TempDir
    static Path dir;

    static Stream<Named<Function<String, RunStore>>> stores() {
        return Stream.of(
                Named.of("in memory", name -> new InMemoryRunStore()),
                Named.of("SQLite", name -> SqliteRunStore.open(dir.resolve(name + ".db"))),
                Named.of("PostgreSQL", name -> PostgresRunStore.open(PostgresServer.createDatabase(name),
                        PostgresServer.user(), PostgresServer.password())));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void a_run_that_ended_here_is_handed_back_as_the_store_holds_it(Function<String, RunStore> open) {
        Agent<Void> desk = Agent.<Void>builder("desk").build();
        Agent<Void> unlucky = Agent.<Void>builder("unlucky").build();
        ScriptedModel model = ScriptedModel.create()
                .forAgent("desk", reply("Refund initiated."))
                .forAgent("unlucky", fail(new IllegalStateException("the provider is down")));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());
        try (RunStore store = open.apply("local_result_" + System.nanoTime());
                DurableWorker worker = DurableWorker.builder(runner, store).agents(desk, unlucky).build().start()) {
            RunHandle completed = worker.startRun(desk, "I was charged twice");
            RunRecord result = completed.result();

            assertThat(result.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(result.owner()).as("the run's lease is given up").isNull();
            assertThat(result).isEqualTo(store.findRun(completed.id()).orElseThrow());
            assertThat(completed.result()).as("asked again, from the store").isEqualTo(result);

            RunHandle failed = worker.startRun(unlucky, "Hello?");
            RunRecord failure = failed.result();
            assertThat(failure.status()).isEqualTo(RunStatus.FAILED);
            assertThat(failure).isEqualTo(store.findRun(failed.id()).orElseThrow());
        }
    }
}
