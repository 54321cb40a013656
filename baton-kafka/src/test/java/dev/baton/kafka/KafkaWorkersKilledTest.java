package dev.baton.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.durable.Effect;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.jdbc.PostgresServer;
import dev.baton.runtime.handoff.AgentResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two worker JVMs host the support desk ({@link KafkaDesk}: triage hands over to billing, which
 * calls {@code get_invoice} and answers) on {@link KafkaRuntime} in one consumer group, every turn
 * journaled in one PostgreSQL; 200 people start their sessions at once from this JVM, and once some
 * are answered while others are in flight, one worker is killed with {@code kill -9}. The other
 * takes its partitions and the turns it left running (after their 5 s lease).
 *
 * <p>What must hold: every session is answered, once, with its own answer (the person hears one
 * answer, and the user topic holds one answer message id per session, however often it was
 * written); each conversation is complete in the session store, with no turn in it twice; every
 * turn run is {@code COMPLETED}.
 *
 * <p>And no call is made again once its result is journaled. The workers append every model call
 * ({@code model <pid> <session> <agent> <n>}, n = the call's number in its run, the journal's
 * effect {@code m<n>}) and every {@code get_invoice} invocation ({@code tool <pid> <session> <run
 * id>:<call id>}) to logs in the test's directory before they answer; right after the kill, this
 * test appends {@code killed <pid>} to both. A call may be made a second time only when the first
 * was made by the killed process that had not journaled its result when it died: the journal's
 * result was recorded after the kill instant, the later call was made by another process, after
 * the {@code killed} line; never a third time. Every call whose result the journal (the run
 * store's effects) recorded before the kill instant was made exactly once. The calls the logs name
 * and the calls the journal holds are the same ones.
 */
@DisplayName("Two Kafka workers, 200 sessions, one killed with kill -9")
@Timeout(240)
class KafkaWorkersKilledTest {
    private static final int SESSIONS = 200;
    private static final String MODEL_DELAY_MS = "50";
    private static final String LEASE_MS = "5000";
    private static final String GROUP = "kkill-desk";
    private static final String PREFIX = "kkill.";
    /** Killed once this many sessions are answered and the victim has others in flight. */
    private static final int ANSWERED_BEFORE_KILL = 10;

    static KafkaBroker broker;

    private volatile KafkaDeskCustomers customers;
    private final List<Child> children = new ArrayList<>();

    @AfterEach
    void stopWorkers() {
        children.forEach(c -> c.process().destroyForcibly());
        if (customers != null) {
            customers.close();
        }
    }

    /** The workers' call logs and output, kept in {@code target/kafka-workers-killed/} to read after a failure. */
    Path dir;

    @BeforeEach
    void directory() throws IOException {
        dir = Files.createDirectories(Path.of("target", "kafka-workers-killed", "run-" + System.currentTimeMillis()).toAbsolutePath());
    }

    @BeforeAll
    static void startBroker() {
        // A consumer that died is out of its group after 6 s, not the default 45 s.
        broker = KafkaBroker.start(Map.of("group.consumer.session.timeout.ms", "6000", "group.consumer.min.session.timeout.ms", "3000",
                "group.consumer.heartbeat.interval.ms", "1000", "group.consumer.min.heartbeat.interval.ms", "500"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void every_session_is_answered_once_and_no_journaled_call_is_made_again() throws Exception {
        String url = PostgresServer.createDatabase("kafka_killed");
        try (KafkaDesk.Stores stores = KafkaDesk.Stores.open(url, PostgresServer.user(), PostgresServer.password())) {
            List<String> args = List.of(broker.bootstrapServers(), GROUP, PREFIX, url, PostgresServer.user(), PostgresServer.password(),
                    dir.toString(), MODEL_DELAY_MS, LEASE_MS, "true", "false");
            Child victim = Child.start(args);
            children.add(victim);
            Child survivor = Child.start(args);
            children.add(survivor);
            await(() -> lines("ready.log").size() == 2, "both workers ready", victim);

            List<String> sessions = IntStream.range(0, SESSIONS).mapToObj(i -> String.format("s%03d", i)).toList();
            KafkaDeskCustomers people = new KafkaDeskCustomers(broker.settings("customers", "kkill-customers").withTopicPrefix(PREFIX),
                    stores.sessions()).awaitAssignment(Duration.ofSeconds(60));
            customers = people;
            try (ExecutorService logins = Executors.newVirtualThreadPerTaskExecutor()) {
                sessions.forEach(s -> logins.submit(() -> people.login(s)));
            }

            // Kill the first worker once some sessions are answered while it has others in flight: sessions it asked the model
            // for, whose model calls are not all made yet. (A worker may finish its share early: waiting for a number of answers
            // alone could kill it idle.)
            long victimPid = victim.process().pid();
            await(() -> people.answered() >= ANSWERED_BEFORE_KILL && !unfinished(victimPid, people).isEmpty(),
                    ANSWERED_BEFORE_KILL + " sessions answered and the victim with sessions in flight", victim);
            Instant killedAt = Instant.now();
            victim.process().destroyForcibly();
            assertThat(victim.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
            // Read once the victim is dead: a session it finished between the check above and the kill is not in flight.
            Set<String> inFlightOnVictim = unfinished(victimPid, people);
            for (String log : List.of("model.log", "tool.log")) {
                Files.writeString(dir.resolve(log), "killed " + victimPid + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            int answeredBeforeKill = people.answered();
            assertThat(inFlightOnVictim).as("sessions the killed worker had in flight").isNotEmpty();
            assertThat(answeredBeforeKill).as("sessions answered before the kill").isLessThan(SESSIONS);

            try {
                await(() -> people.heard().size() == SESSIONS, "every session answered", survivor);
            } catch (AssertionError e) {
                new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(survivor.process().pid()), "Thread.dump_to_file", "-format=text",
                        dir.resolve("survivor-threads.txt").toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
                List<String> unanswered = sessions.stream().filter(s -> !people.heard().containsKey(s)).toList();
                for (String s : unanswered) {
                    for (RunRecord r : stores.runs().listRuns(RunQuery.all().withSession(s))) {
                        progress("unanswered " + s + ": " + r.id() + " " + r.startAgent() + " " + r.status() + " owner " + r.owner()
                                + " effects " + stores.runs().effects(r.id()).stream().map(x -> x.key() + "=" + x.status()).toList());
                    }
                }
                throw e;
            }
            await(() -> stores.runs().listRuns(RunQuery.all().withStatuses(RunStatus.RUNNING).withLimit(1)).isEmpty(),
                    "no turn left running", survivor);
            customers = null;
            people.stopWhenIdle();
            survivor.stop();

            // The people: each heard one answer, its own; the user topic holds one answer per session.
            Map<String, List<KafkaDeskCustomers.Heard>> heard = people.heard();
            assertThat(heard.keySet()).containsExactlyInAnyOrderElementsOf(sessions);
            heard.forEach((session, answers) -> assertThat(answers).as("answers heard on %s", session).singleElement()
                    .satisfies(h -> {
                        assertThat(h.answer().text()).isEqualTo(KafkaDesk.answer(session));
                        assertThat(h.answer().agent()).isEqualTo(KafkaDesk.BILLING);
                    }));
            Map<String, Set<String>> answerIds = new HashMap<>();
            for (KafkaDeskCustomers.Published p : people.userTopic()) {
                if (p.message() instanceof AgentResponse) {
                    answerIds.computeIfAbsent(p.envelope().topic().source(), s -> new TreeSet<>()).add(p.envelope().id());
                }
            }
            assertThat(answerIds.keySet()).containsExactlyInAnyOrderElementsOf(sessions);
            answerIds.forEach((session, ids) -> assertThat(ids).as("answer message ids on the user topic of %s", session).hasSize(1));

            // The session store: each conversation complete, each turn in it once.
            for (String session : sessions) {
                List<Item> items = stores.sessions().items(session, 0);
                assertThat(items).as("conversation %s", session).satisfiesExactly(
                        i -> assertThat(i).isEqualTo(Message.user(KafkaDesk.question(session))),
                        i -> assertThat(i).isInstanceOfSatisfying(ToolCall.class, c -> assertThat(c.name()).isEqualTo("transfer_to_billing")),
                        i -> assertThat(i).isInstanceOf(ToolOutput.class),
                        i -> assertThat(i).isInstanceOfSatisfying(ToolCall.class, c -> assertThat(c.name()).isEqualTo("get_invoice")),
                        i -> assertThat(i).isInstanceOf(ToolOutput.class),
                        i -> assertThat(i).isEqualTo(Message.assistant(KafkaDesk.answer(session))));
            }

            // The journal: two turns per session, each COMPLETED.
            List<RunRecord> runs = stores.runs().listRuns(RunQuery.all().withLimit(3 * SESSIONS));
            assertThat(runs).hasSize(2 * SESSIONS).allSatisfy(r -> {
                assertThat(r.status()).as("turn %s", r.id()).isEqualTo(RunStatus.COMPLETED);
                assertThat(r.application()).isEqualTo(KafkaDesk.DESK);
            });
            assertThat(runs.stream().map(r -> r.sessionId() + " " + r.startAgent()).collect(Collectors.toSet()))
                    .hasSize(2 * SESSIONS);

            // The calls: logged asks against the journal's effects.
            Map<String, Effect> journaledModelCalls = new LinkedHashMap<>();
            Map<String, Effect> journaledToolCalls = new LinkedHashMap<>();
            for (RunRecord run : runs) {
                for (Effect e : stores.runs().effects(run.id())) {
                    if (e.kind() == Effect.Kind.MODEL) {
                        journaledModelCalls.put(run.sessionId() + " " + e.agent() + " " + e.key().substring(1), e);
                    } else if (e.kind() == Effect.Kind.TOOL && "get_invoice".equals(e.name())) {
                        journaledToolCalls.put(run.sessionId() + " " + run.id() + ":" + e.key().substring(e.key().indexOf('/') + 1), e);
                    }
                }
            }
            assertThat(journaledModelCalls).hasSize(3 * SESSIONS);
            assertThat(journaledToolCalls).hasSize(SESSIONS);
            List<Ask> modelAsks = asks(lines("model.log"));
            List<Ask> toolAsks = asks(lines("tool.log"));
            assertCallsAgainstJournal("model call", modelAsks, journaledModelCalls, victimPid, killedAt);
            assertCallsAgainstJournal("get_invoice call", toolAsks, journaledToolCalls, victimPid, killedAt);

            // The kill hit sessions in flight: some were begun by the killed worker and finished by the survivor.
            long survivorPid = survivor.process().pid();
            Set<String> takenOver = new TreeSet<>();
            for (String session : inFlightOnVictim) {
                if (modelAsks.stream().anyMatch(a -> a.pid() == survivorPid && a.key().startsWith(session + " "))) {
                    takenOver.add(session);
                }
            }
            assertThat(takenOver).as("sessions the killed worker began and the survivor finished").isNotEmpty();
            System.out.printf("kafka kill -9: %d answered before the kill, %d in flight on the killed worker, %d of them finished by the "
                    + "survivor; %d model calls made twice, %d get_invoice calls made twice; %d answer records on the user topic%n",
                    answeredBeforeKill, inFlightOnVictim.size(), takenOver.size(), repeated(modelAsks), repeated(toolAsks),
                    people.userTopic().stream().filter(p -> p.message() instanceof AgentResponse).count());
        }
    }

    /**
     * The logged asks of one kind of call against the journal's effects for it ({@code journaled}, by
     * the same key): the same calls; a call made twice only as the rule of the class says.
     */
    private static void assertCallsAgainstJournal(String what, List<Ask> log, Map<String, Effect> journaled, long killed, Instant killedAt) {
        Integer deathLine = null;
        Map<String, List<Ask>> byKey = new LinkedHashMap<>();
        for (Ask a : log) {
            if (a.key() == null) {
                assertThat(a.pid()).isEqualTo(killed);
                deathLine = a.line();
            } else {
                byKey.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(a);
            }
        }
        assertThat(deathLine).as("the kill in the %s log", what).isNotNull();
        assertThat(byKey.keySet()).as("the %ss made and the %ss journaled", what, what).containsExactlyInAnyOrderElementsOf(journaled.keySet());
        int death = deathLine;
        byKey.forEach((key, asks) -> {
            Effect effect = journaled.get(key);
            assertThat(effect.status()).as("%s %s in the journal", what, key).isEqualTo(Effect.Status.DONE);
            assertThat(asks).as("%s %s made at most twice", what, key).hasSizeLessThanOrEqualTo(2);
            if (asks.size() == 2) {
                Ask first = asks.get(0);
                Ask again = asks.get(1);
                assertThat(first.pid()).as("%s %s made twice: first by the killed worker", what, key).isEqualTo(killed);
                assertThat(first.line()).as("%s %s made twice: first before the kill", what, key).isLessThan(death);
                assertThat(again.pid()).as("%s %s made again by another worker", what, key).isNotEqualTo(killed);
                assertThat(again.line()).as("%s %s made again after the kill", what, key).isGreaterThan(death);
                assertThat(effect.finishedAt()).as("%s %s made twice: its journaled result is from after the kill", what, key)
                        .isAfter(killedAt);
            }
            if (effect.finishedAt().isBefore(killedAt)) {
                assertThat(asks).as("%s %s journaled before the kill", what, key).hasSize(1);
            }
        });
    }

    private static long repeated(List<Ask> asks) {
        return asks.stream().filter(a -> a.key() != null).collect(Collectors.groupingBy(Ask::key, Collectors.counting()))
                .values().stream().filter(n -> n > 1).count();
    }

    /** One line of a call log: a call by {@code pid} (key: what identifies the call), or the kill when key is null. */
    /** Sessions not yet heard that {@code pid} asked the model for, with fewer than their three model calls made so far. */
    private Set<String> unfinished(long pid, KafkaDeskCustomers people) {
        Map<String, Integer> calls = new HashMap<>();
        Set<String> asked = new TreeSet<>();
        for (Ask a : asks(lines("model.log"))) {
            if (a.key() == null) {
                continue;
            }
            String session = a.key().split(" ")[0];
            calls.merge(session, 1, Integer::sum);
            if (a.pid() == pid) {
                asked.add(session);
            }
        }
        asked.removeIf(session -> calls.get(session) >= 3 || people.heard().containsKey(session));
        return asked;
    }

    private record Ask(int line, long pid, String key) {}

    private static List<Ask> asks(List<String> lines) {
        List<Ask> asks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] p = lines.get(i).split(" ", 3);
            asks.add(p[0].equals("killed") ? new Ask(i, Long.parseLong(p[1]), null) : new Ask(i, Long.parseLong(p[1]), p[2]));
        }
        return asks;
    }

    private List<String> lines(String file) {
        Path p = dir.resolve(file);
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void await(BooleanSupplier condition, String what, Child watched) throws InterruptedException {
        progress("waiting for " + what);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > nextReport && customers != null) {
                progress("  answered so far: " + customers.answered());
                nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            }
            assertThat(watched.process().isAlive()).as("worker %d alive while waiting for %s; its output:%n%s", watched.process().pid(),
                    what, watched.output()).isTrue();
            assertThat(System.nanoTime()).as("waiting for %s; worker output:%n%s", what, watched.output()).isLessThan(deadline);
            Thread.sleep(50);
        }
        progress("done: " + what);
    }

    /** A line in {@code progress.log}: what the test waits for, and when. */
    private void progress(String line) {
        try {
            Files.writeString(dir.resolve("progress.log"), Instant.now() + " " + line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A worker JVM whose output is read as it comes, so that it never blocks on a full pipe. */
    private record Child(Process process, ByteArrayOutputStream buffer) {
        static Child start(List<String> args) throws IOException {
            Path output = Path.of(args.get(6), "worker-" + System.nanoTime() + ".out");
            Process process = new ProcessBuilder(KafkaDeskWorker.command(List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.showDateTime=true"), args)).redirectErrorStream(true).start();
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            Thread.ofVirtual().start(() -> {
                try (InputStream in = process.getInputStream()) {
                    byte[] chunk = new byte[8192];
                    for (int n; (n = in.read(chunk)) >= 0; ) {
                        synchronized (buffer) {
                            buffer.write(chunk, 0, n);
                        }
                        Files.write(output, java.util.Arrays.copyOf(chunk, n), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    }
                } catch (IOException e) {
                    // killed: what it wrote before is in the buffer
                }
            });
            return new Child(process, buffer);
        }

        /** Ends its standard input, so that it stops in order, and waits for it. */
        void stop() throws Exception {
            process.getOutputStream().close();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("worker %d stops; output:%n%s", process.pid(), output()).isTrue();
            assertThat(process.exitValue()).as("worker %d exit; output:%n%s", process.pid(), output()).isZero();
        }

        String output() {
            synchronized (buffer) {
                return buffer.toString();
            }
        }
    }
}
