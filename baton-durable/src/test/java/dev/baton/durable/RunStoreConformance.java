package dev.baton.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Usage;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link RunStore} must have: one test for each promise of its Javadoc.
 * Extend it in the store's tests and return a store from {@link #createStore()}:
 *
 * <pre>{@code
 * class SqliteRunStoreConformanceTest extends RunStoreConformance {
 *     @Override
 *     protected RunStore createStore() {
 *         return SqliteRunStore.open(tempDir.resolve("baton.db"));
 *     }
 * }
 * }</pre>
 *
 * <p>Each test uses run ids, session ids, agent names and owners of its own, and only looks at
 * those, so a store backed by a database shared with other tests needs no cleaning. The tests of
 * "oldest first" across runs ({@link RunStore#claimable}, {@link RunStore#pendingApprovals}) date
 * their runs and approvals before anything a real run or an earlier execution of the suite
 * wrote, and after each test every run it created is cancelled and its pending approvals
 * rejected, so that nothing it leaves behind is claimable or pending. The store is closed after
 * each test. Instants are built with millisecond precision, which is what stores keep.
 *
 * <p>A test an implementation cannot meet can be overridden, but that is a deviation from the
 * SPI worth documenting.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
public abstract class RunStoreConformance {
    private static final int THREADS = 16;
    private static final Instant Y2K = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant SUITE_EPOCH = Instant.parse("2026-01-01T00:00:00Z");
    private static final String TRIAGE = "support_triage";
    private static final String BILLING = "billing_specialist";

    private final List<String> runIds = new ArrayList<>();
    private final String tag = UUID.randomUUID().toString().substring(0, 8);
    /** This test's session: every run {@link #aRun()} makes is on it, so listing by it finds this test's runs. */
    private final String session = "conformance-session-" + UUID.randomUUID();
    /** Now, to the millisecond. */
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    /**
     * An instant before anything a real run wrote (2000), and ten milliseconds earlier for every
     * millisecond that passes, so it is older than what any earlier execution of the suite wrote
     * with offsets of a few milliseconds from its own.
     */
    private final Instant ancient = Y2K.minusMillis(10 * (System.currentTimeMillis() - SUITE_EPOCH.toEpochMilli()));
    private RunStore store;

    /** A store to test. Called before each test. */
    protected abstract RunStore createStore();

    @BeforeEach
    void createStoreUnderTest() {
        store = createStore();
    }

    @AfterEach
    void endRunsOfTheTestAndCloseTheStore() {
        if (store == null) {
            return;
        }
        try {
            // Best effort: a test that failed may have left the store unable to do this; its own failure is the report.
            for (String id : runIds) {
                store.cancelRun(id, "conformance test finished", now);
                for (Approval approval : store.approvals(id)) {
                    if (approval.status() == Approval.Status.PENDING) {
                        store.decide(id, approval.callId(), false, "conformance test finished", now);
                    }
                }
            }
        } catch (RuntimeException ignored) {
            // Nothing to clean up that the failing test has not already reported.
        } finally {
            store.close();
        }
    }

    /** The store under test, created before each test: for tests a subclass adds. */
    protected final RunStore store() {
        return store;
    }

    /** A run id no other test uses; runs created with it are cancelled after the test. */
    protected String newRunId() {
        String id = "conformance-run-" + UUID.randomUUID();
        runIds.add(id);
        return id;
    }

    // ---- creating and finding runs

    @Test
    protected void a_created_run_reads_back_with_every_field() {
        RunRecord run = new RunRecord(newRunId(), RunRecord.DEFAULT_APPLICATION, TRIAGE, BILLING, session,
                List.of(Message.user("I was charged twice"), new ToolCall("call_1", "get_invoice", "{\"invoice_id\":\"INV-8821\"}"),
                        new ToolOutput("call_1", "{\"amount\":99}"), new Reasoning("rs_1", "Checked the invoice.", "opaque==")),
                RunStatus.PAUSED, now.minusSeconds(60), now.minusMillis(1234), "\"Refund initiated.\"", "model call failed: 503",
                new Usage(3, 1200, 340, 1540, 200, 80), Map.of(TRIAGE, "fp-triage-1", BILLING, "fp-billing-7"),
                "{\"turn\":3,\"pending\":[\"call_9\"]}", "worker-" + tag, now.plusSeconds(30),
                "{\"customer\":{\"id\":\"C-7\",\"tier\":\"gold\"},\"locale\":\"fr-FR\"}");

        store.createRun(run);

        assertThat(store.findRun(run.id())).contains(run);
    }

    @Test
    protected void a_created_run_with_every_optional_field_empty_reads_back_as_it_was() {
        RunRecord run = new RunRecord(newRunId(), RunRecord.DEFAULT_APPLICATION, TRIAGE, TRIAGE, null, List.of(), RunStatus.RUNNING, now, now, null, null,
                Usage.zero(), Map.of(), null, null, null);

        store.createRun(run);

        assertThat(store.findRun(run.id())).contains(run);
    }

    @Test
    protected void creating_a_run_whose_id_exists_is_refused_and_keeps_the_first() {
        RunRecord first = create(aRun());
        RunRecord second = new RunRecord(first.id(), RunRecord.DEFAULT_APPLICATION, BILLING, BILLING, null, List.of(Message.user("another")),
                RunStatus.COMPLETED, now.plusSeconds(5), now.plusSeconds(5), "\"done\"", null, Usage.zero(), Map.of(),
                null, null, null);

        assertThatThrownBy(() -> store.createRun(second)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.findRun(first.id())).contains(first);
    }

    @Test
    protected void an_unknown_run_is_not_found_and_has_nothing_recorded() {
        String unknown = "conformance-unknown-" + UUID.randomUUID();

        assertThat(store.findRun(unknown)).isEmpty();
        assertThat(store.effects(unknown)).isEmpty();
        assertThat(store.events(unknown, 0, 100)).isEmpty();
        assertThat(store.approvals(unknown)).isEmpty();
    }

    @Test
    protected void operations_on_an_unknown_run_change_nothing_and_say_so() {
        String unknown = "conformance-unknown-" + UUID.randomUUID();
        RunRecord never = aRun().id(unknown).build();

        assertThat(store.updateRun(never)).isFalse();
        assertThat(store.cancelRun(unknown, "no such run", now)).isFalse();
        assertThat(store.markResumable(unknown, now)).isFalse();
        assertThat(store.claim(unknown, "worker-" + tag, now, now.plusSeconds(30))).isFalse();
        assertThat(store.findRun(unknown)).isEmpty();
    }

    // ---- listing runs

    @Test
    protected void runs_are_listed_newest_first() {
        RunRecord middle = create(aRun().createdAt(now.minusSeconds(2)));
        RunRecord newest = create(aRun().createdAt(now.minusSeconds(1)));
        RunRecord oldest = create(aRun().createdAt(now.minusSeconds(3)));

        assertThat(store.listRuns(RunQuery.all().withSession(session))).containsExactly(newest, middle, oldest);
    }

    @Test
    protected void listing_by_status_returns_runs_in_any_of_the_statuses() {
        RunRecord running = create(aRun().createdAt(now.minusSeconds(5)));
        RunRecord paused = create(aRun().status(RunStatus.PAUSED).createdAt(now.minusSeconds(4)));
        RunRecord completed = create(aRun().status(RunStatus.COMPLETED).createdAt(now.minusSeconds(3)));
        RunRecord failed = create(aRun().status(RunStatus.FAILED).createdAt(now.minusSeconds(2)));
        RunRecord cancelled = create(aRun().status(RunStatus.CANCELLED).createdAt(now.minusSeconds(1)));
        RunQuery ofThisTest = RunQuery.all().withSession(session);

        assertThat(store.listRuns(ofThisTest.withStatuses(RunStatus.PAUSED, RunStatus.FAILED))).containsExactly(failed, paused);
        assertThat(store.listRuns(ofThisTest.withStatuses(RunStatus.RUNNING))).containsExactly(running);
        assertThat(store.listRuns(ofThisTest.withStatuses())).containsExactly(cancelled, failed, completed, paused, running);
    }

    @Test
    protected void listing_by_agent_matches_the_starting_or_the_current_agent() {
        String agent = "agent-a-" + tag;
        String other = "agent-b-" + tag;
        RunRecord stayed = create(aRun().agents(agent, agent).createdAt(now.minusSeconds(4)));
        RunRecord handedTo = create(aRun().agents(other, agent).createdAt(now.minusSeconds(3)));
        RunRecord handedAway = create(aRun().agents(agent, other).createdAt(now.minusSeconds(2)));
        create(aRun().agents(other, other).createdAt(now.minusSeconds(1)));

        assertThat(store.listRuns(RunQuery.all().withAgent(agent))).containsExactly(handedAway, handedTo, stayed);
        assertThat(store.listRuns(RunQuery.all().withAgent("agent-nobody-" + tag))).isEmpty();
    }

    @Test
    protected void listing_by_session_returns_only_the_runs_on_that_session() {
        String otherSession = "conformance-session-" + UUID.randomUUID();
        String agent = "agent-" + tag;
        RunRecord onThis = create(aRun().agents(agent, agent).createdAt(now.minusSeconds(3)));
        RunRecord onOther = create(aRun().agents(agent, agent).session(otherSession).createdAt(now.minusSeconds(2)));
        RunRecord onNone = create(aRun().agents(agent, agent).session(null).createdAt(now.minusSeconds(1)));

        assertThat(store.listRuns(RunQuery.all().withSession(session))).containsExactly(onThis);
        assertThat(store.listRuns(RunQuery.all().withSession(otherSession))).containsExactly(onOther);
        assertThat(store.listRuns(RunQuery.all().withAgent(agent))).containsExactly(onNone, onOther, onThis);
    }

    @Test
    protected void listing_by_creation_time_includes_the_start_and_excludes_the_end() {
        Instant t = now.minusSeconds(60);
        RunRecord first = create(aRun().createdAt(t));
        RunRecord second = create(aRun().createdAt(t.plusMillis(1000)));
        RunRecord third = create(aRun().createdAt(t.plusMillis(2000)));
        RunRecord fourth = create(aRun().createdAt(t.plusMillis(3000)));
        RunQuery ofThisTest = RunQuery.all().withSession(session);

        assertThat(store.listRuns(ofThisTest.between(t.plusMillis(1000), t.plusMillis(3000)))).containsExactly(third, second);
        assertThat(store.listRuns(ofThisTest.between(null, t.plusMillis(2000)))).containsExactly(second, first);
        assertThat(store.listRuns(ofThisTest.between(t.plusMillis(2000), null))).containsExactly(fourth, third);
        assertThat(store.listRuns(ofThisTest.between(t.plusMillis(1), t.plusMillis(999)))).isEmpty();
    }

    @Test
    protected void the_limit_keeps_the_newest_runs() {
        List<RunRecord> runs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            runs.add(create(aRun().createdAt(now.minusSeconds(10 - i))));
        }
        RunQuery ofThisTest = RunQuery.all().withSession(session);

        assertThat(store.listRuns(ofThisTest.withLimit(2))).containsExactly(runs.get(4), runs.get(3));
        assertThat(store.listRuns(ofThisTest.withLimit(1))).containsExactly(runs.get(4));
        assertThat(store.listRuns(ofThisTest.withLimit(50))).hasSize(5);
    }

    @Test
    protected void every_filter_that_is_set_must_match() {
        String agent = "agent-" + tag;
        String otherSession = "conformance-session-" + UUID.randomUUID();
        Instant from = now.minusSeconds(100);
        RunRecord match = create(aRun().agents(TRIAGE, agent).status(RunStatus.PAUSED).createdAt(from.plusSeconds(10)));
        RunRecord alsoMatch = create(aRun().agents(agent, agent).status(RunStatus.FAILED).createdAt(from.plusSeconds(20)));
        create(aRun().agents(agent, agent).status(RunStatus.RUNNING).createdAt(from.plusSeconds(30)));
        create(aRun().agents(TRIAGE, TRIAGE).status(RunStatus.PAUSED).createdAt(from.plusSeconds(40)));
        create(aRun().agents(agent, agent).status(RunStatus.PAUSED).session(otherSession).createdAt(from.plusSeconds(50)));
        create(aRun().agents(agent, agent).status(RunStatus.PAUSED).createdAt(from.minusSeconds(1)));
        create(aRun().agents(agent, agent).status(RunStatus.FAILED).createdAt(from.plusSeconds(200)));

        RunQuery query = RunQuery.all()
                .withStatuses(RunStatus.PAUSED, RunStatus.FAILED)
                .withAgent(agent)
                .withSession(session)
                .between(from, from.plusSeconds(100));

        assertThat(store.listRuns(query)).containsExactly(alsoMatch, match);
        assertThat(store.listRuns(query.withLimit(1))).containsExactly(alsoMatch);
    }

    @Test
    protected void paging_after_the_last_run_of_a_page_skips_and_repeats_none_even_within_one_millisecond() {
        Instant same = now.minusSeconds(10);
        List<RunRecord> created = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(create(aRun().createdAt(i < 5 ? same : same.plusSeconds(i))));
        }
        RunQuery ofThisTest = RunQuery.all().withSession(session).withLimit(2);

        List<RunRecord> listed = new java.util.ArrayList<>();
        List<RunRecord> page = store.listRuns(ofThisTest);
        while (!page.isEmpty()) {
            listed.addAll(page);
            page = store.listRuns(ofThisTest.afterRun(page.get(page.size() - 1).id()));
        }

        assertThat(listed).containsExactlyElementsOf(store.listRuns(ofThisTest.withLimit(100)));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(created);
        assertThat(store.listRuns(ofThisTest.afterRun("conformance-no-such-run-" + tag))).isEmpty();
    }

    @Test
    protected void listing_by_text_finds_it_in_the_input_or_the_final_output_ignoring_case() {
        String word = "Zebra-" + tag;
        RunRecord inInput = create(aRun().input(List.of(Message.user("My " + word + " invoice"))).createdAt(now.minusSeconds(4)));
        RunRecord inOutput = create(aRun().status(RunStatus.COMPLETED)
                .outcome("\"Refunded the " + word.toUpperCase(Locale.ROOT) + " order\"", null, null)
                .createdAt(now.minusSeconds(3)));
        create(aRun().createdAt(now.minusSeconds(2)));
        create(aRun().input(List.of(Message.user("Zebra- and " + tag + " apart"))).createdAt(now.minusSeconds(1)));
        RunQuery ofThisTest = RunQuery.all().withSession(session);

        assertThat(store.listRuns(ofThisTest.withText(word.toLowerCase(Locale.ROOT)))).containsExactly(inOutput, inInput);
        assertThat(store.listRuns(RunQuery.all().withText(word))).containsExactly(inOutput, inInput);
        assertThat(store.listRuns(ofThisTest.withText(word).withStatuses(RunStatus.RUNNING))).containsExactly(inInput);
        assertThat(store.listRuns(ofThisTest.withText("nothing like " + tag))).isEmpty();
    }

    @Test
    protected void listing_by_text_takes_percent_underscore_quotes_and_backslashes_literally() {
        RunRecord percent = create(aRun().input(List.of(Message.user("a 100% refund " + tag))).createdAt(now.minusSeconds(8)));
        create(aRun().input(List.of(Message.user("a 1000 refund " + tag))).createdAt(now.minusSeconds(7)));
        RunRecord underscore = create(aRun().input(List.of(Message.user("field order_id " + tag))).createdAt(now.minusSeconds(6)));
        create(aRun().input(List.of(Message.user("field orderXid " + tag))).createdAt(now.minusSeconds(5)));
        RunRecord quoted = create(aRun().input(List.of(Message.user("they said \"charged twice\" " + tag))).createdAt(now.minusSeconds(4)));
        RunRecord path = create(aRun().input(List.of(Message.user("see C:\\temp\\log " + tag))).createdAt(now.minusSeconds(3)));
        create(aRun().input(List.of(Message.user("see C:/temp/log " + tag))).createdAt(now.minusSeconds(2)));
        RunQuery ofThisTest = RunQuery.all().withSession(session);

        assertThat(store.listRuns(ofThisTest.withText("100% refund"))).containsExactly(percent);
        assertThat(store.listRuns(ofThisTest.withText("order_id"))).containsExactly(underscore);
        assertThat(store.listRuns(ofThisTest.withText("\"charged twice\""))).containsExactly(quoted);
        assertThat(store.listRuns(ofThisTest.withText("C:\\temp\\"))).containsExactly(path);
        assertThat(store.listRuns(ofThisTest.withText("%"))).containsExactly(percent);
    }

    // ---- updating runs

    @Test
    protected void an_update_writes_the_outcome_and_nothing_else() {
        String owner = "worker-" + tag;
        RunRecord stored = create(aRun().owner(owner, now.plusSeconds(30)).createdAt(now.minusSeconds(10)));
        RunRecord update = new RunRecord(stored.id(), "rewritten_application", "rewritten_start", BILLING, "conformance-session-" + UUID.randomUUID(),
                List.of(Message.user("rewritten input")), RunStatus.COMPLETED, now.minusSeconds(999), now.plusMillis(1),
                "\"Refund initiated.\"", "a warning kept as the error", new Usage(2, 100, 20, 120, 10, 5),
                Map.of("rewritten", "fp"), "{\"turn\":2}", owner, now.plusSeconds(600));

        assertThat(store.updateRun(update)).isTrue();

        assertThat(store.findRun(stored.id())).contains(new RunRecord(stored.id(), stored.application(), stored.startAgent(), BILLING,
                stored.sessionId(), stored.input(), RunStatus.COMPLETED, stored.createdAt(), now.plusMillis(1),
                "\"Refund initiated.\"", "a warning kept as the error", new Usage(2, 100, 20, 120, 10, 5), stored.graph(),
                "{\"turn\":2}", owner, now.plusSeconds(30)));
    }

    @Test
    protected void an_update_can_clear_the_output_the_error_and_the_paused_state() {
        RunRecord stored = create(aRun().status(RunStatus.PAUSED).outcome("\"partial\"", "waiting", "{\"turn\":1}"));

        assertThat(store.updateRun(stored.withOutcome(RunStatus.RUNNING, stored.currentAgent(), null, null,
                stored.usage(), null, now.plusMillis(5)))).isTrue();

        RunRecord found = store.findRun(stored.id()).orElseThrow();
        assertThat(found.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(found.finalOutput()).isNull();
        assertThat(found.error()).isNull();
        assertThat(found.pausedState()).isNull();
        assertThat(found.updatedAt()).isEqualTo(now.plusMillis(5));
    }

    @Test
    protected void an_ended_run_is_never_updated() {
        for (RunStatus ended : List.of(RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED)) {
            RunRecord stored = create(aRun().status(ended).outcome("\"the end\"", "the error", null));

            boolean written = store.updateRun(stored.withOutcome(RunStatus.RUNNING, BILLING, null, null,
                    Usage.of(1, 1), null, now.plusSeconds(1)));

            assertThat(written).as("update of a %s run", ended).isFalse();
            assertThat(store.findRun(stored.id())).as("the %s run", ended).contains(stored);
        }
    }

    @Test
    protected void a_run_cancelled_while_a_worker_executes_it_is_not_overwritten_by_that_worker() {
        String owner = "worker-" + tag;
        RunRecord stored = create(aRun().owner(owner, now.plusSeconds(30)));
        store.cancelRun(stored.id(), "stopped by an operator", now.plusMillis(1));

        boolean written = store.updateRun(stored.withOutcome(RunStatus.COMPLETED, TRIAGE, "\"done\"", null,
                Usage.of(1, 1), null, now.plusMillis(2)));

        assertThat(written).isFalse();
        RunRecord found = store.findRun(stored.id()).orElseThrow();
        assertThat(found.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(found.error()).isEqualTo("stopped by an operator");
        assertThat(found.finalOutput()).isNull();
    }

    @Test
    protected void an_update_from_a_worker_that_lost_the_lease_is_refused() {
        String lost = "worker-lost-" + tag;
        String taker = "worker-taker-" + tag;
        RunRecord stored = create(aRun().owner(lost, now.minusSeconds(5)));
        assertThat(store.claim(stored.id(), taker, now, now.plusSeconds(30))).isTrue();
        RunRecord taken = store.findRun(stored.id()).orElseThrow();

        boolean byLoser = store.updateRun(stored.withOutcome(RunStatus.COMPLETED, BILLING, "\"stale\"", null,
                Usage.of(1, 1), null, now.plusMillis(1)));
        boolean byNobody = store.updateRun(stored.withLease(null, null).withOutcome(RunStatus.FAILED, BILLING, null,
                "stale", Usage.of(1, 1), null, now.plusMillis(2)));

        assertThat(byLoser).isFalse();
        assertThat(byNobody).isFalse();
        assertThat(store.findRun(stored.id())).contains(taken);
    }

    @Test
    protected void the_lease_holder_may_update_its_run() {
        String owner = "worker-" + tag;
        RunRecord stored = create(aRun().owner(owner, now.plusSeconds(30)));

        boolean written = store.updateRun(stored.withOutcome(RunStatus.PAUSED, BILLING, null, null, Usage.of(10, 2),
                "{\"turn\":1}", now.plusMillis(1)));

        assertThat(written).isTrue();
        RunRecord found = store.findRun(stored.id()).orElseThrow();
        assertThat(found.status()).isEqualTo(RunStatus.PAUSED);
        assertThat(found.currentAgent()).isEqualTo(BILLING);
        assertThat(found.owner()).isEqualTo(owner);
    }

    @Test
    protected void finishing_a_run_writes_its_outcome_and_last_events_and_gives_up_its_lease() {
        String owner = "worker-" + tag;
        RunRecord stored = create(aRun().owner(owner, now.plusSeconds(30)));
        RunRecord done = stored.withOutcome(RunStatus.COMPLETED, BILLING, "\"done\"", null, Usage.of(5, 1), null,
                now.plusMillis(1));

        assertThat(store.finishRun(events(stored, 0, 3), done)).isTrue();

        RunRecord found = store.findRun(stored.id()).orElseThrow();
        assertThat(found.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(found.finalOutput()).isEqualTo("\"done\"");
        assertThat(found.owner()).isNull();
        assertThat(store.events(stored.id(), 0, 10)).isEqualTo(events(stored, 0, 3));
    }

    @Test
    protected void finishing_a_run_that_keeps_running_keeps_its_lease() {
        String owner = "worker-" + tag;
        RunRecord stored = create(aRun().owner(owner, now.plusSeconds(30)));

        assertThat(store.finishRun(List.of(), stored.withOutcome(RunStatus.RUNNING, BILLING, null, null, Usage.of(1, 1),
                null, now.plusMillis(1)))).isTrue();

        assertThat(store.findRun(stored.id()).orElseThrow().owner()).isEqualTo(owner);
    }

    @Test
    protected void finishing_a_run_leased_to_another_worker_is_refused_and_appends_nothing() {
        RunRecord stored = create(aRun().owner("worker-lost-" + tag, now.minusSeconds(5)));
        assertThat(store.claim(stored.id(), "worker-taker-" + tag, now, now.plusSeconds(30))).isTrue();

        boolean written = store.finishRun(events(stored, 0, 2), stored.withOutcome(RunStatus.COMPLETED, BILLING, "\"stale\"",
                null, Usage.of(1, 1), null, now.plusMillis(1)));

        assertThat(written).isFalse();
        assertThat(store.findRun(stored.id()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        assertThat(store.events(stored.id(), 0, 10)).isEmpty();
    }

    @Test
    protected void a_run_no_one_holds_may_be_updated() {
        RunRecord stored = create(aRun());

        boolean first = store.updateRun(stored.withOutcome(RunStatus.RUNNING, BILLING, null, null, Usage.of(1, 1),
                null, now.plusMillis(1)));
        boolean second = store.updateRun(stored.withLease("worker-" + tag, now.plusSeconds(30))
                .withOutcome(RunStatus.COMPLETED, BILLING, "\"done\"", null, Usage.of(2, 2), null, now.plusMillis(2)));

        assertThat(first).isTrue();
        assertThat(second).isTrue();
        RunRecord found = store.findRun(stored.id()).orElseThrow();
        assertThat(found.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(found.finalOutput()).isEqualTo("\"done\"");
        assertThat(found.usage()).isEqualTo(Usage.of(2, 2));
        assertThat(found.owner()).isNull();
    }

    // ---- cancelling

    @Test
    protected void a_running_or_paused_run_can_be_cancelled_with_a_reason() {
        RunRecord running = create(aRun().owner("worker-" + tag, now.plusSeconds(30)));
        RunRecord paused = create(aRun().status(RunStatus.PAUSED).outcome(null, null, "{\"turn\":1}"));

        assertThat(store.cancelRun(running.id(), "stopped by an operator", now.plusMillis(7))).isTrue();
        assertThat(store.cancelRun(paused.id(), "the customer withdrew", now.plusMillis(8))).isTrue();

        RunRecord cancelledRunning = store.findRun(running.id()).orElseThrow();
        assertThat(cancelledRunning.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(cancelledRunning.error()).isEqualTo("stopped by an operator");
        assertThat(cancelledRunning.updatedAt()).isEqualTo(now.plusMillis(7));
        RunRecord cancelledPaused = store.findRun(paused.id()).orElseThrow();
        assertThat(cancelledPaused.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(cancelledPaused.error()).isEqualTo("the customer withdrew");
        assertThat(cancelledPaused.updatedAt()).isEqualTo(now.plusMillis(8));
    }

    @Test
    protected void cancelling_an_ended_run_changes_nothing() {
        for (RunStatus ended : List.of(RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED)) {
            RunRecord stored = create(aRun().status(ended).outcome("\"the end\"", "the first error", null));

            assertThat(store.cancelRun(stored.id(), "too late", now.plusSeconds(1))).as("cancel a %s run", ended).isFalse();
            assertThat(store.findRun(stored.id())).as("the %s run", ended).contains(stored);
        }
    }

    // ---- resuming paused runs

    @Test
    protected void a_paused_run_marked_resumable_is_running_with_no_owner() {
        RunRecord paused = create(aRun().status(RunStatus.PAUSED).owner("worker-" + tag, now.plusSeconds(30))
                .outcome(null, null, "{\"turn\":4}"));

        assertThat(store.markResumable(paused.id(), now.plusMillis(3))).isTrue();

        RunRecord found = store.findRun(paused.id()).orElseThrow();
        assertThat(found.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(found.owner()).isNull();
        assertThat(found.updatedAt()).isEqualTo(now.plusMillis(3));
        assertThat(found.pausedState()).isEqualTo("{\"turn\":4}");
        assertThat(found.currentAgent()).isEqualTo(paused.currentAgent());
        assertThat(store.claim(paused.id(), "worker-other-" + tag, now, now.plusSeconds(30))).isTrue();
    }

    @Test
    protected void only_a_paused_run_can_be_marked_resumable() {
        for (RunStatus status : List.of(RunStatus.RUNNING, RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED)) {
            RunRecord stored = create(aRun().status(status).owner("worker-" + tag, now.plusSeconds(30)));

            assertThat(store.markResumable(stored.id(), now.plusSeconds(1))).as("mark a %s run", status).isFalse();
            assertThat(store.findRun(stored.id())).as("the %s run", status).contains(stored);
        }
    }

    // ---- leases

    @Test
    protected void a_running_run_with_no_owner_can_be_claimed() {
        RunRecord run = create(aRun());
        String owner = "worker-" + tag;

        assertThat(store.claim(run.id(), owner, now, now.plusSeconds(30))).isTrue();

        RunRecord found = store.findRun(run.id()).orElseThrow();
        assertThat(found.owner()).isEqualTo(owner);
        assertThat(found.leaseUntil()).isEqualTo(now.plusSeconds(30));
        assertThat(found.status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    protected void the_owner_can_claim_its_run_again_to_extend_the_lease() {
        String owner = "worker-" + tag;
        RunRecord run = create(aRun().owner(owner, now.plusSeconds(30)));

        assertThat(store.claim(run.id(), owner, now.plusSeconds(10), now.plusSeconds(40))).isTrue();

        RunRecord found = store.findRun(run.id()).orElseThrow();
        assertThat(found.owner()).isEqualTo(owner);
        assertThat(found.leaseUntil()).isEqualTo(now.plusSeconds(40));
    }

    @Test
    protected void a_run_leased_to_another_owner_cannot_be_claimed_before_its_lease_expires() {
        String holder = "worker-holder-" + tag;
        RunRecord run = create(aRun().owner(holder, now.plusSeconds(30)));

        assertThat(store.claim(run.id(), "worker-other-" + tag, now, now.plusSeconds(60))).isFalse();

        assertThat(store.findRun(run.id())).contains(run);
    }

    @Test
    protected void a_run_whose_lease_expired_can_be_claimed_by_another_owner() {
        RunRecord run = create(aRun().owner("worker-dead-" + tag, now.minusSeconds(1)));
        String taker = "worker-taker-" + tag;

        assertThat(store.claim(run.id(), taker, now, now.plusSeconds(30))).isTrue();

        RunRecord found = store.findRun(run.id()).orElseThrow();
        assertThat(found.owner()).isEqualTo(taker);
        assertThat(found.leaseUntil()).isEqualTo(now.plusSeconds(30));
    }

    @Test
    protected void a_paused_or_ended_run_cannot_be_claimed() {
        for (RunStatus status : List.of(RunStatus.PAUSED, RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED)) {
            RunRecord unowned = create(aRun().status(status));
            RunRecord expired = create(aRun().status(status).owner("worker-dead-" + tag, now.minusSeconds(1)));

            assertThat(store.claim(unowned.id(), "worker-" + tag, now, now.plusSeconds(30))).as("claim an unowned %s run", status)
                    .isFalse();
            assertThat(store.claim(expired.id(), "worker-" + tag, now, now.plusSeconds(30)))
                    .as("claim a %s run with an expired lease", status).isFalse();
            assertThat(store.findRun(unowned.id())).as("the unowned %s run", status).contains(unowned);
            assertThat(store.findRun(expired.id())).as("the %s run with an expired lease", status).contains(expired);
        }
    }

    @Test
    protected void runs_keep_their_application_and_are_listed_by_it() {
        RunRecord support = create(aRun().application("support-" + tag));
        RunRecord acme = create(aRun().application("acme-" + tag));

        assertThat(store.findRun(support.id())).contains(support);
        assertThat(store.listRuns(RunQuery.all().withApplication("support-" + tag))).containsExactly(support);
        assertThat(store.listRuns(RunQuery.all().withSession(session).withApplication("acme-" + tag))).containsExactly(acme);
        assertThat(store.listRuns(RunQuery.all().withApplication("nobody-" + tag))).isEmpty();
    }

    @Test
    protected void a_worker_lists_as_claimable_only_runs_of_its_applications() {
        RunRecord support = create(aRun().application("support-" + tag).createdAt(ancient));
        RunRecord acme = create(aRun().application("acme-" + tag).createdAt(ancient.plusSeconds(1)));
        RunRecord other = create(aRun().application("other-" + tag).createdAt(ancient.plusSeconds(2)));

        assertThat(ofThisTest(store.claimable(now, Set.of("support-" + tag), 1000))).containsExactly(support.id());
        assertThat(ofThisTest(store.claimable(now, Set.of("support-" + tag, "acme-" + tag), 1000))).containsExactly(support.id(),
                acme.id());
        assertThat(ofThisTest(store.claimable(now, Set.of(), 1000))).as("no application named: every application")
                .containsExactly(support.id(), acme.id(), other.id());
    }

    @Test
    protected void the_graph_of_a_run_started_without_one_is_written_once_by_the_worker_holding_it() {
        String owner = "worker-" + tag;
        RunRecord started = create(aRun().graph(Map.of()));
        Map<String, String> graph = Map.of(TRIAGE, "fp-triage", BILLING, "fp-billing");

        assertThat(store.recordGraph(started.id(), graph, owner)).as("not claimed yet").isFalse();
        assertThat(store.claim(started.id(), owner, now, now.plusSeconds(30))).isTrue();
        assertThat(store.recordGraph(started.id(), graph, "worker-other-" + tag)).as("another owner").isFalse();
        assertThat(store.recordGraph(started.id(), graph, owner)).isTrue();
        assertThat(store.findRun(started.id()).orElseThrow().graph()).isEqualTo(graph);
        assertThat(store.recordGraph(started.id(), Map.of(TRIAGE, "fp-changed"), owner)).as("a graph is there already").isFalse();
        assertThat(store.findRun(started.id()).orElseThrow().graph()).isEqualTo(graph);
        assertThat(store.recordGraph("no-such-run-" + tag, graph, owner)).isFalse();
    }

    @Test
    protected void a_running_run_with_an_owner_and_no_lease_time_is_claimable() {
        RunRecord run = create(aRun().owner("worker-dead-" + tag, null).createdAt(ancient));
        String taker = "worker-taker-" + tag;

        assertThat(ofThisTest(store.claimable(now, java.util.Set.of(), 1000))).containsExactly(run.id());
        assertThat(store.claim(run.id(), taker, now, now.plusSeconds(30))).isTrue();

        RunRecord found = store.findRun(run.id()).orElseThrow();
        assertThat(found.owner()).isEqualTo(taker);
        assertThat(found.leaseUntil()).isEqualTo(now.plusSeconds(30));
        assertThat(ofThisTest(store.claimable(now, java.util.Set.of(), 1000))).isEmpty();
    }

    @Test
    protected void a_paused_or_ended_run_cannot_be_claimed_even_by_its_owner() {
        String owner = "worker-" + tag;
        for (RunStatus status : List.of(RunStatus.PAUSED, RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED)) {
            RunRecord leased = create(aRun().status(status).owner(owner, now.plusSeconds(30)));
            RunRecord noLeaseTime = create(aRun().status(status).owner(owner, null));

            assertThat(store.claim(leased.id(), owner, now, now.plusSeconds(60))).as("the owner claims its %s run", status)
                    .isFalse();
            assertThat(store.claim(noLeaseTime.id(), owner, now, now.plusSeconds(60)))
                    .as("the owner claims its %s run with no lease time", status).isFalse();
            assertThat(store.claim(noLeaseTime.id(), "worker-other-" + tag, now, now.plusSeconds(60)))
                    .as("another worker claims a %s run with no lease time", status).isFalse();
            assertThat(store.findRun(leased.id())).as("the leased %s run", status).contains(leased);
            assertThat(store.findRun(noLeaseTime.id())).as("the %s run with no lease time", status).contains(noLeaseTime);
        }
    }

    @Test
    @Timeout(60)
    protected void of_many_workers_claiming_an_unowned_run_at_once_exactly_one_wins() {
        for (int round = 0; round < 5; round++) {
            RunRecord run = create(aRun());
            String prefix = "worker-" + tag + "-round-" + round + "-";

            List<Boolean> claimed = runConcurrently(w -> store.claim(run.id(), prefix + w, now, now.plusSeconds(30)));

            assertThat(claimed).as("claims of round %d", round).containsOnlyOnce(true);
            assertThat(store.findRun(run.id()).orElseThrow().owner()).isEqualTo(prefix + claimed.indexOf(true));
        }
    }

    @Test
    @Timeout(60)
    protected void of_many_workers_claiming_a_run_whose_lease_expired_exactly_one_wins() {
        for (int round = 0; round < 5; round++) {
            RunRecord run = create(aRun().owner("worker-dead-" + tag, now.minusSeconds(1)));
            String prefix = "worker-" + tag + "-round-" + round + "-";

            List<Boolean> claimed = runConcurrently(w -> store.claim(run.id(), prefix + w, now, now.plusSeconds(30)));

            assertThat(claimed).as("claims of round %d", round).containsOnlyOnce(true);
            assertThat(store.findRun(run.id()).orElseThrow().owner()).isEqualTo(prefix + claimed.indexOf(true));
        }
    }

    @Test
    protected void claimable_runs_are_the_running_ones_with_no_owner_or_an_expired_lease() {
        RunRecord unowned = create(aRun().createdAt(ancient));
        RunRecord expired = create(aRun().owner("worker-dead-" + tag, now.minusSeconds(1)).createdAt(ancient.plusMillis(1)));
        RunRecord leased = create(aRun().owner("worker-alive-" + tag, now.plusSeconds(60)).createdAt(ancient.plusMillis(2)));
        List<RunRecord> notRunning = new ArrayList<>();
        int offset = 3;
        for (RunStatus status : List.of(RunStatus.PAUSED, RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED)) {
            notRunning.add(create(aRun().status(status).createdAt(ancient.plusMillis(offset++))));
            notRunning.add(create(aRun().status(status).owner("worker-dead-" + tag, now.minusSeconds(1))
                    .createdAt(ancient.plusMillis(offset++))));
        }

        List<String> claimable = store.claimable(now, java.util.Set.of(), 100);

        assertThat(ofThisTest(claimable)).containsExactly(unowned.id(), expired.id());
        assertThat(claimable).doesNotContain(leased.id());
        assertThat(claimable).doesNotContainAnyElementsOf(notRunning.stream().map(RunRecord::id).toList());
        assertThat(ofThisTest(store.claimable(now.plusSeconds(61), java.util.Set.of(), 100))).containsExactly(unowned.id(), expired.id(), leased.id());
    }

    @Test
    protected void claimable_runs_come_oldest_first_up_to_the_limit() {
        RunRecord third = create(aRun().createdAt(ancient.plusMillis(2)));
        RunRecord first = create(aRun().owner("worker-dead-" + tag, now.minusSeconds(1)).createdAt(ancient));
        RunRecord fourth = create(aRun().createdAt(ancient.plusMillis(3)));
        RunRecord second = create(aRun().createdAt(ancient.plusMillis(1)));

        assertThat(ofThisTest(store.claimable(now, java.util.Set.of(), 100))).containsExactly(first.id(), second.id(), third.id(), fourth.id());
        assertThat(store.claimable(now, java.util.Set.of(), 2)).containsExactly(first.id(), second.id());
        assertThat(store.claimable(now, java.util.Set.of(), 1)).containsExactly(first.id());
    }

    @Test
    protected void renewing_extends_the_leases_of_the_owners_running_runs_only() {
        String owner = "worker-" + tag;
        Instant lease = now.plusSeconds(30);
        RunRecord mine = create(aRun().owner(owner, lease));
        RunRecord mineExpiringSooner = create(aRun().owner(owner, now.plusSeconds(5)));
        RunRecord someoneElses = create(aRun().owner("worker-other-" + tag, lease));
        RunRecord unowned = create(aRun());
        RunRecord minePaused = create(aRun().status(RunStatus.PAUSED).owner(owner, lease));
        RunRecord mineCompleted = create(aRun().status(RunStatus.COMPLETED).owner(owner, lease));

        int renewed = store.renewLeases(owner, now.plusSeconds(90));

        assertThat(renewed).isEqualTo(2);
        assertThat(store.findRun(mine.id()).orElseThrow().leaseUntil()).isEqualTo(now.plusSeconds(90));
        assertThat(store.findRun(mineExpiringSooner.id()).orElseThrow().leaseUntil()).isEqualTo(now.plusSeconds(90));
        assertThat(store.findRun(mine.id()).orElseThrow().owner()).isEqualTo(owner);
        assertThat(store.findRun(someoneElses.id())).contains(someoneElses);
        assertThat(store.findRun(unowned.id())).contains(unowned);
        assertThat(store.findRun(minePaused.id())).contains(minePaused);
        assertThat(store.findRun(mineCompleted.id())).contains(mineCompleted);
    }

    @Test
    protected void renewing_for_an_owner_with_no_runs_renews_nothing() {
        create(aRun().owner("worker-busy-" + tag, now.plusSeconds(30)));

        assertThat(store.renewLeases("worker-idle-" + tag, now.plusSeconds(90))).isZero();
    }

    @Test
    protected void releasing_gives_up_the_lease_so_another_owner_can_claim_the_run() {
        String owner = "worker-" + tag;
        RunRecord run = create(aRun().owner(owner, now.plusSeconds(30)));

        store.release(run.id(), owner);

        RunRecord found = store.findRun(run.id()).orElseThrow();
        assertThat(found.owner()).isNull();
        assertThat(found.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(store.claim(run.id(), "worker-next-" + tag, now, now.plusSeconds(30))).isTrue();
    }

    @Test
    protected void only_the_lease_holder_can_release_a_run() {
        String holder = "worker-holder-" + tag;
        RunRecord run = create(aRun().owner(holder, now.plusSeconds(30)));

        store.release(run.id(), "worker-other-" + tag);
        store.release("conformance-unknown-" + UUID.randomUUID(), holder);

        assertThat(store.findRun(run.id())).contains(run);
        assertThat(store.claim(run.id(), "worker-other-" + tag, now, now.plusSeconds(30))).isFalse();
    }

    // ---- effects

    @Test
    protected void a_recorded_effect_reads_back_with_every_field() {
        RunRecord run = create(aRun());
        Effect full = new Effect(run.id(), "m1", Effect.Kind.MODEL, Effect.Status.DONE, TRIAGE, "gpt-4o-mini",
                "{\"turn\":1}", "{\"output\":[{\"type\":\"message\",\"text\":\"hi\"}]}", 2, now.minusMillis(850), now,
                new Usage(1, 1200, 340, 1540, 200, 80));
        Effect bare = new Effect(run.id(), "start", Effect.Kind.START, Effect.Status.STARTED, TRIAGE, null, null, null, 1,
                now, null, null);

        store.recordEffect(full);
        store.recordEffect(bare);

        assertThat(store.effects(run.id())).containsExactly(full, bare);
    }

    @Test
    protected void recording_an_effect_again_replaces_it_and_keeps_its_place() {
        RunRecord run = create(aRun());
        Effect toolStarted = effect(run, "t1/call_a", Effect.Kind.TOOL, Effect.Status.STARTED, null, 1, now);
        Effect model = effect(run, "m2", Effect.Kind.MODEL, Effect.Status.DONE, "{\"text\":\"ok\"}", 1, now.plusMillis(1));
        store.recordEffect(toolStarted);
        store.recordEffect(model);
        Effect retried = effect(run, "t1/call_a", Effect.Kind.TOOL, Effect.Status.STARTED, null, 2, now.plusMillis(2));
        Effect toolDone = new Effect(run.id(), "t1/call_a", Effect.Kind.TOOL, Effect.Status.DONE, BILLING, "get_invoice",
                "{\"invoice_id\":\"INV-1\"}", "{\"amount\":99}", 2, now.plusMillis(2), now.plusMillis(40), null);

        store.recordEffect(retried);
        assertThat(store.effects(run.id())).containsExactly(retried, model);

        store.recordEffect(toolDone);
        assertThat(store.effects(run.id())).containsExactly(toolDone, model);
    }

    @Test
    protected void effects_come_in_the_order_their_keys_were_first_recorded() {
        RunRecord run = create(aRun());
        List<String> keys = List.of("start", "m10", "m2", "t2/call_b", "t2/call_a", "m1", "session/1");
        List<Effect> recorded = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            // Start times run backwards, so neither the key nor the time gives the order.
            Effect effect = effect(run, keys.get(i), Effect.Kind.MODEL, Effect.Status.DONE, "{}", 1, now.minusMillis(i));
            store.recordEffect(effect);
            recorded.add(effect);
        }

        assertThat(store.effects(run.id())).containsExactlyElementsOf(recorded);
    }

    @Test
    protected void effects_of_different_runs_are_kept_apart() {
        RunRecord first = create(aRun());
        RunRecord second = create(aRun());
        Effect ofFirst = effect(first, "m1", Effect.Kind.MODEL, Effect.Status.DONE, "{\"run\":1}", 1, now);
        Effect ofSecond = effect(second, "m1", Effect.Kind.MODEL, Effect.Status.STARTED, null, 1, now);

        store.recordEffect(ofFirst);
        store.recordEffect(ofSecond);

        assertThat(store.effects(first.id())).containsExactly(ofFirst);
        assertThat(store.effects(second.id())).containsExactly(ofSecond);
    }

    // ---- events

    @Test
    protected void events_read_back_in_sequence_order_with_every_field() {
        RunRecord run = create(aRun());
        List<RecordedEvent> events = events(run, 0, 5);

        store.appendEvents(events.subList(2, 5));
        store.appendEvents(events.subList(0, 2));

        assertThat(store.events(run.id(), 0, 100)).containsExactlyElementsOf(events);
    }

    @Test
    protected void an_event_already_stored_is_ignored_and_not_overwritten() {
        RunRecord run = create(aRun());
        List<RecordedEvent> original = events(run, 0, 2);
        store.appendEvents(original);
        RecordedEvent replayed = new RecordedEvent(run.id(), 1, "HandoffOccurred", BILLING, now.plusSeconds(9),
                "{\"replayed\":true}");
        RecordedEvent next = events(run, 2, 1).get(0);

        store.appendEvents(List.of(replayed, next));

        assertThat(store.events(run.id(), 0, 100)).containsExactly(original.get(0), original.get(1), next);
        store.appendEvents(List.of(replayed));
        assertThat(store.events(run.id(), 0, 100)).containsExactly(original.get(0), original.get(1), next);
    }

    @Test
    protected void events_are_read_from_a_sequence_number_up_to_a_limit() {
        RunRecord run = create(aRun());
        List<RecordedEvent> events = events(run, 0, 10);
        store.appendEvents(events);

        assertThat(store.events(run.id(), 3, 4)).containsExactlyElementsOf(events.subList(3, 7));
        assertThat(store.events(run.id(), 8, 100)).containsExactlyElementsOf(events.subList(8, 10));
        assertThat(store.events(run.id(), 0, 1)).containsExactly(events.get(0));
        assertThat(store.events(run.id(), 10, 5)).isEmpty();
        assertThat(store.events(run.id(), 0, 10)).containsExactlyElementsOf(events);
    }

    @Test
    protected void appending_no_events_changes_nothing() {
        RunRecord run = create(aRun());
        store.appendEvents(events(run, 0, 1));

        store.appendEvents(List.of());

        assertThat(store.events(run.id(), 0, 100)).hasSize(1);
    }

    @Test
    protected void events_of_different_runs_are_kept_apart() {
        RunRecord first = create(aRun());
        RunRecord second = create(aRun());
        List<RecordedEvent> ofFirst = events(first, 0, 3);
        List<RecordedEvent> ofSecond = events(second, 0, 2);

        List<RecordedEvent> both = new ArrayList<>(ofFirst);
        both.addAll(ofSecond);
        store.appendEvents(both);

        assertThat(store.events(first.id(), 0, 100)).containsExactlyElementsOf(ofFirst);
        assertThat(store.events(second.id(), 0, 100)).containsExactlyElementsOf(ofSecond);
    }

    @Test
    @Timeout(60)
    protected void many_threads_appending_events_to_their_own_runs_at_once_lose_nothing() {
        List<RunRecord> runs = IntStream.range(0, THREADS).mapToObj(i -> create(aRun())).toList();
        int batches = 20;
        int perBatch = 3;

        runConcurrently(w -> {
            RunRecord run = runs.get(w);
            for (int b = 0; b < batches; b++) {
                store.appendEvents(events(run, (long) b * perBatch, perBatch));
            }
            return true;
        });

        for (RunRecord run : runs) {
            assertThat(store.events(run.id(), 0, 1000)).as("events of %s", run.id())
                    .containsExactlyElementsOf(events(run, 0, batches * perBatch));
        }
    }

    // ---- approvals

    @Test
    protected void approvals_read_back_in_the_order_they_were_requested_with_every_field() {
        RunRecord run = create(aRun());
        Approval first = approval(run, "call_b", now);
        Approval second = new Approval(run.id(), "call_a", BILLING, "issue_refund", "{\"amount\":99,\"currency\":\"EUR\"}",
                Approval.Status.PENDING, null, now, null);
        Approval third = approval(run, "call_c", now);
        Approval later = approval(run, "call_0", now.plusSeconds(5));

        store.requestApprovals(List.of(first, second, third));
        store.requestApprovals(List.of(later));

        assertThat(store.approvals(run.id())).containsExactly(first, second, third, later);
    }

    @Test
    protected void requesting_an_approval_again_leaves_it_as_it_is() {
        RunRecord run = create(aRun());
        Approval pending = approval(run, "call_1", now);
        Approval decided = approval(run, "call_2", now);
        store.requestApprovals(List.of(pending, decided));
        Approval approved = store.decide(run.id(), "call_2", true, "fine", now.plusSeconds(1)).orElseThrow();

        store.requestApprovals(List.of(
                new Approval(run.id(), "call_1", BILLING, "other_tool", "{\"again\":true}", Approval.Status.PENDING, null,
                        now.plusSeconds(2), null),
                new Approval(run.id(), "call_2", BILLING, "other_tool", "{\"again\":true}", Approval.Status.PENDING, null,
                        now.plusSeconds(2), null)));

        assertThat(store.approvals(run.id())).containsExactly(pending, approved);
    }

    @Test
    protected void pending_approvals_of_every_run_come_oldest_first_up_to_the_limit() {
        RunRecord first = create(aRun());
        RunRecord second = create(aRun());
        Approval a = approval(first, "call_1", ancient);
        Approval b = approval(second, "call_1", ancient.plusMillis(1));
        Approval decided = approval(first, "call_2", ancient.plusMillis(2));
        Approval c = approval(first, "call_3", ancient.plusMillis(3));
        Approval d = approval(second, "call_2", ancient.plusMillis(4));
        store.requestApprovals(List.of(d, b));
        store.requestApprovals(List.of(c, decided, a));
        store.decide(first.id(), "call_2", false, "no", now);

        List<Approval> pending = store.pendingApprovals(100).stream()
                .filter(approval -> approval.runId().equals(first.id()) || approval.runId().equals(second.id()))
                .toList();

        assertThat(pending).containsExactly(a, b, c, d);
        assertThat(store.pendingApprovals(3)).containsExactly(a, b, c);
        assertThat(store.pendingApprovals(1)).containsExactly(a);
    }

    @Test
    protected void a_pending_approval_can_be_approved() {
        RunRecord run = create(aRun());
        Approval requested = approval(run, "call_1", now);
        store.requestApprovals(List.of(requested));

        Approval decided = store.decide(run.id(), "call_1", true, null, now.plusSeconds(3)).orElseThrow();

        assertThat(decided).isEqualTo(new Approval(run.id(), "call_1", requested.agent(), requested.tool(),
                requested.arguments(), Approval.Status.APPROVED, null, requested.requestedAt(), now.plusSeconds(3)));
        assertThat(store.approvals(run.id())).containsExactly(decided);
    }

    @Test
    protected void a_pending_approval_can_be_rejected_with_a_message_for_the_model() {
        RunRecord run = create(aRun());
        Approval requested = approval(run, "call_1", now);
        store.requestApprovals(List.of(requested));

        Approval decided = store.decide(run.id(), "call_1", false, "Refunds over 50 EUR need a manager.",
                now.plusSeconds(3)).orElseThrow();

        assertThat(decided).isEqualTo(new Approval(run.id(), "call_1", requested.agent(), requested.tool(),
                requested.arguments(), Approval.Status.REJECTED, "Refunds over 50 EUR need a manager.",
                requested.requestedAt(), now.plusSeconds(3)));
        assertThat(store.approvals(run.id())).containsExactly(decided);
    }

    @Test
    protected void a_decision_for_the_tools_later_calls_too_and_who_made_it_read_back_as_they_were() {
        RunRecord run = create(aRun());
        store.requestApprovals(List.of(approval(run, "call_1", now), approval(run, "call_2", now)));

        Approval always = store.decide(run.id(), "call_1", Decision.approve().forLaterCalls().by("Dana (billing lead)"),
                now.plusSeconds(1)).orElseThrow();
        Approval once = store.decide(run.id(), "call_2", Decision.reject("no"), now.plusSeconds(2)).orElseThrow();

        assertThat(always.always()).isTrue();
        assertThat(always.status()).isEqualTo(Approval.Status.APPROVED);
        assertThat(always.decidedBy()).isEqualTo("Dana (billing lead)");
        assertThat(once.always()).isFalse();
        assertThat(once.decidedBy()).isNull();
        assertThat(store.approvals(run.id())).containsExactly(always, once);
    }

    @Test
    protected void a_decided_approval_keeps_its_first_decision() {
        RunRecord run = create(aRun());
        store.requestApprovals(List.of(approval(run, "call_1", now)));
        Approval first = store.decide(run.id(), "call_1", true, "go ahead", now.plusSeconds(1)).orElseThrow();

        assertThat(store.decide(run.id(), "call_1", false, "changed my mind", now.plusSeconds(2))).contains(first);
        assertThat(store.decide(run.id(), "call_1", true, null, now.plusSeconds(3))).contains(first);
        assertThat(store.approvals(run.id())).containsExactly(first);
    }

    @Test
    protected void deciding_an_approval_that_was_never_requested_returns_nothing() {
        RunRecord run = create(aRun());
        store.requestApprovals(List.of(approval(run, "call_1", now)));

        assertThat(store.decide(run.id(), "call_unknown", true, null, now)).isEmpty();
        assertThat(store.decide("conformance-unknown-" + UUID.randomUUID(), "call_1", true, null, now)).isEmpty();
        assertThat(store.approvals(run.id())).extracting(Approval::status).containsExactly(Approval.Status.PENDING);
    }

    @Test
    protected void the_turn_of_an_approval_round_trips() {
        RunRecord run = create(aRun().status(RunStatus.PAUSED).createdAt(ancient));
        Approval requested = approval(run, "call_1", ancient, 7);
        store.requestApprovals(List.of(requested));

        assertThat(store.approvals(run.id())).containsExactly(requested);
        assertThat(store.pendingApprovals(1000)).contains(requested);
        Approval decided = store.decide(run.id(), "call_1", true, null, now).orElseThrow();

        assertThat(decided).isEqualTo(requested.decided(true, null, now));
        assertThat(decided.turn()).isEqualTo(7);
        assertThat(store.approvals(run.id())).containsExactly(decided);
    }

    @Test
    protected void a_call_id_reused_in_a_later_turn_is_an_approval_of_its_own_and_decide_takes_the_pending_one() {
        RunRecord run = create(aRun().status(RunStatus.PAUSED));
        Approval ofTurn1 = approval(run, "call_1", now, 1);
        store.requestApprovals(List.of(ofTurn1));
        Approval approved = store.decide(run.id(), "call_1", true, "fine", now.plusSeconds(1)).orElseThrow();
        Approval ofTurn2 = new Approval(run.id(), "call_1", BILLING, "issue_refund", "{\"amount\":12}",
                Approval.Status.PENDING, null, now.plusSeconds(2), null, 2);

        store.requestApprovals(List.of(ofTurn2, approval(run, "call_1", now.plusSeconds(3), 1)));

        assertThat(store.approvals(run.id())).containsExactly(approved, ofTurn2);
        Approval rejected = store.decide(run.id(), "call_1", false, "not twice", now.plusSeconds(4)).orElseThrow();
        assertThat(rejected).isEqualTo(ofTurn2.decided(false, "not twice", now.plusSeconds(4)));
        assertThat(store.approvals(run.id())).containsExactly(approved, rejected);
        // Nothing pending any more: the latest approval with the call id, unchanged.
        assertThat(store.decide(run.id(), "call_1", true, "again", now.plusSeconds(5))).contains(rejected);
        assertThat(store.approvals(run.id())).containsExactly(approved, rejected);
    }

    @Test
    protected void deciding_the_last_pending_approval_of_a_paused_run_makes_it_running_unowned_and_claimable() {
        RunRecord paused = create(aRun().status(RunStatus.PAUSED).owner("worker-" + tag, now.plusSeconds(30))
                .outcome(null, null, "{\"turn\":3}").createdAt(ancient));
        store.requestApprovals(List.of(approval(paused, "call_1", now, 3), approval(paused, "call_2", now, 3)));

        store.decide(paused.id(), "call_1", true, null, now.plusSeconds(1)).orElseThrow();

        assertThat(store.findRun(paused.id())).as("with one approval still pending").contains(paused);
        assertThat(store.claimable(now, java.util.Set.of(), 1000)).doesNotContain(paused.id());

        store.decide(paused.id(), "call_2", false, "no", now.plusSeconds(2)).orElseThrow();

        RunRecord found = store.findRun(paused.id()).orElseThrow();
        assertThat(found.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(found.owner()).isNull();
        assertThat(found.leaseUntil()).isNull();
        assertThat(found.updatedAt()).isEqualTo(now.plusSeconds(2));
        assertThat(found.pausedState()).isEqualTo("{\"turn\":3}");
        assertThat(found.currentAgent()).isEqualTo(paused.currentAgent());
        assertThat(ofThisTest(store.claimable(now.plusSeconds(2), java.util.Set.of(), 1000))).containsExactly(paused.id());
        assertThat(store.claim(paused.id(), "worker-other-" + tag, now.plusSeconds(2), now.plusSeconds(60))).isTrue();
    }

    @Test
    protected void deciding_an_approval_of_a_run_that_is_not_paused_leaves_the_run_alone() {
        RunRecord running = create(aRun().owner("worker-" + tag, now.plusSeconds(30)));
        RunRecord completed = create(aRun().status(RunStatus.COMPLETED).outcome("\"done\"", null, null));
        store.requestApprovals(List.of(approval(running, "call_1", now), approval(completed, "call_1", now)));

        assertThat(store.decide(running.id(), "call_1", true, null, now.plusSeconds(1))).isPresent();
        assertThat(store.decide(completed.id(), "call_1", true, null, now.plusSeconds(1))).isPresent();

        assertThat(store.findRun(running.id())).contains(running);
        assertThat(store.findRun(completed.id())).contains(completed);
    }

    @Test
    protected void a_run_paused_after_its_approvals_were_all_decided_is_left_running_unowned_and_claimable() {
        String owner = "worker-" + tag;
        RunRecord running = create(aRun().owner(owner, now.plusSeconds(30)).createdAt(ancient));
        store.requestApprovals(List.of(approval(running, "call_1", now, 2)));
        // The reviewer decides while the run is still writing its pause.
        store.decide(running.id(), "call_1", true, null, now.plusSeconds(1)).orElseThrow();

        boolean written = store.finishRun(events(running, 0, 2), running.withOutcome(RunStatus.PAUSED, BILLING, null, null,
                Usage.of(10, 2), "{\"turn\":2}", now.plusSeconds(2)));

        assertThat(written).isTrue();
        RunRecord found = store.findRun(running.id()).orElseThrow();
        assertThat(found.status()).as("the decision is not lost").isEqualTo(RunStatus.RUNNING);
        assertThat(found.owner()).isNull();
        assertThat(found.leaseUntil()).isNull();
        assertThat(found.pausedState()).isEqualTo("{\"turn\":2}");
        assertThat(found.currentAgent()).isEqualTo(BILLING);
        assertThat(store.events(running.id(), 0, 10)).hasSize(2);
        assertThat(ofThisTest(store.claimable(now.plusSeconds(2), java.util.Set.of(), 1000))).containsExactly(running.id());
    }

    @Test
    protected void a_run_paused_with_an_approval_pending_stays_paused() {
        String owner = "worker-" + tag;
        RunRecord running = create(aRun().owner(owner, now.plusSeconds(30)));
        store.requestApprovals(List.of(approval(running, "call_1", now, 2), approval(running, "call_2", now, 2)));
        store.decide(running.id(), "call_1", true, null, now.plusSeconds(1)).orElseThrow();

        assertThat(store.finishRun(List.of(), running.withOutcome(RunStatus.PAUSED, BILLING, null, null, Usage.of(10, 2),
                "{\"turn\":2}", now.plusSeconds(2)))).isTrue();

        RunRecord found = store.findRun(running.id()).orElseThrow();
        assertThat(found.status()).isEqualTo(RunStatus.PAUSED);
        assertThat(found.owner()).isNull();
        assertThat(store.claimable(now.plusSeconds(2), java.util.Set.of(), 1000)).doesNotContain(running.id());
    }

    @Test
    protected void the_lease_holder_writes_the_current_agent_of_its_running_run() {
        String owner = "worker-" + tag;
        RunRecord running = create(aRun().owner(owner, now.plusSeconds(30)));

        assertThat(store.updateCurrentAgent(running.id(), BILLING, owner, now.plusSeconds(1))).isTrue();

        RunRecord found = store.findRun(running.id()).orElseThrow();
        assertThat(found.currentAgent()).isEqualTo(BILLING);
        assertThat(found.updatedAt()).isEqualTo(now.plusSeconds(1));
        assertThat(found.withOutcome(found.status(), TRIAGE, found.finalOutput(), found.error(), found.usage(),
                found.pausedState(), running.updatedAt())).as("nothing else changed").isEqualTo(running);
    }

    @Test
    protected void only_the_lease_holder_of_a_running_run_writes_its_current_agent() {
        String owner = "worker-" + tag;
        RunRecord taken = create(aRun().owner("worker-other-" + tag, now.plusSeconds(30)));
        RunRecord unowned = create(aRun());
        RunRecord paused = create(aRun().status(RunStatus.PAUSED).owner(owner, now.plusSeconds(30)));
        RunRecord ended = create(aRun().status(RunStatus.COMPLETED).owner(owner, now.plusSeconds(30)).outcome("\"done\"", null, null));

        assertThat(store.updateCurrentAgent(taken.id(), BILLING, owner, now.plusSeconds(1))).isFalse();
        assertThat(store.updateCurrentAgent(unowned.id(), BILLING, owner, now.plusSeconds(1))).isFalse();
        assertThat(store.updateCurrentAgent(paused.id(), BILLING, owner, now.plusSeconds(1))).isFalse();
        assertThat(store.updateCurrentAgent(ended.id(), BILLING, owner, now.plusSeconds(1))).isFalse();
        assertThat(store.updateCurrentAgent("run_unknown_" + tag, BILLING, owner, now.plusSeconds(1))).isFalse();

        assertThat(store.findRun(taken.id())).contains(taken);
        assertThat(store.findRun(unowned.id())).contains(unowned);
        assertThat(store.findRun(paused.id())).contains(paused);
        assertThat(store.findRun(ended.id())).contains(ended);
    }

    @Test
    protected void recording_an_effect_with_a_handoff_writes_the_events_the_effect_and_the_current_agent() {
        String owner = "worker-" + tag;
        RunRecord running = create(aRun().owner(owner, now.plusSeconds(30)));
        Effect effect = effect(running, "model:1", Effect.Kind.MODEL, Effect.Status.DONE, "{\"text\":\"hi\"}", 1, now);

        store.record(events(running, 0, 3), effect, BILLING, owner);

        assertThat(store.events(running.id(), 0, 10)).hasSize(3);
        assertThat(store.effects(running.id())).containsExactly(effect);
        RunRecord found = store.findRun(running.id()).orElseThrow();
        assertThat(found.currentAgent()).isEqualTo(BILLING);
        assertThat(found.updatedAt()).isEqualTo(effect.finishedAt());
    }

    @Test
    protected void a_worker_that_lost_the_lease_records_its_effect_but_not_its_handoff() {
        RunRecord taken = create(aRun().owner("worker-other-" + tag, now.plusSeconds(30)));
        Effect effect = effect(taken, "model:1", Effect.Kind.MODEL, Effect.Status.DONE, "{\"text\":\"hi\"}", 1, now);

        store.record(events(taken, 0, 2), effect, BILLING, "worker-" + tag);

        assertThat(store.events(taken.id(), 0, 10)).hasSize(2);
        assertThat(store.effects(taken.id())).containsExactly(effect);
        assertThat(store.findRun(taken.id())).contains(taken);
    }

    @Test
    protected void cancelling_a_run_rejects_its_pending_approvals_with_the_reason() {
        RunRecord paused = create(aRun().status(RunStatus.PAUSED));
        RunRecord other = create(aRun().status(RunStatus.PAUSED));
        Approval approved = approval(paused, "call_1", ancient);
        Approval first = approval(paused, "call_2", ancient.plusMillis(1));
        Approval second = approval(paused, "call_3", ancient.plusMillis(2), 2);
        Approval ofOther = approval(other, "call_1", ancient.plusMillis(3));
        store.requestApprovals(List.of(approved, first, second, ofOther));
        Approval decided = store.decide(paused.id(), "call_1", true, "fine", now).orElseThrow();
        assertThat(pendingOf(paused)).containsExactly(first, second);

        assertThat(store.cancelRun(paused.id(), "the customer withdrew", now.plusSeconds(1))).isTrue();

        assertThat(store.approvals(paused.id())).containsExactly(decided,
                first.decided(false, "the customer withdrew", now.plusSeconds(1)),
                second.decided(false, "the customer withdrew", now.plusSeconds(1)));
        assertThat(pendingOf(paused)).isEmpty();
        assertThat(store.approvals(other.id())).containsExactly(ofOther);
        assertThat(pendingOf(other)).containsExactly(ofOther);
        assertThat(store.findRun(paused.id()).orElseThrow().status()).isEqualTo(RunStatus.CANCELLED);
    }

    @Test
    protected void cancelling_an_ended_run_leaves_its_approvals_alone() {
        RunRecord completed = create(aRun().status(RunStatus.COMPLETED).outcome("\"done\"", null, null));
        Approval pending = approval(completed, "call_1", now);
        store.requestApprovals(List.of(pending));

        assertThat(store.cancelRun(completed.id(), "too late", now.plusSeconds(1))).isFalse();

        assertThat(store.approvals(completed.id())).containsExactly(pending);
    }

    // ---- content

    @Test
    protected void json_text_with_unicode_quotes_and_escapes_round_trips_exactly() {
        String json = "{\"q\":\"\\\"quoted\\\" \\\\ back\\nslash\",\"tags\":[1,2.5,null,true,{\"deep\":[]}],"
                + "\"city\":\"Zürich 東京 😀\",\"rtl\":\"مرحبا\",\"zw\":\"\u200b\"}";
        String text = "Grüße \"quoted\" 'single' \\ back\nslash\ttab 東京 😀";
        RunRecord run = create(aRun()
                .agents("agent_ß_" + tag, "agent_東京_" + tag)
                .input(List.of(Message.user(text), new ToolCall("call_ü", "search", json)))
                .status(RunStatus.PAUSED)
                .outcome("\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\t", "\\t") + "\"",
                        text, json)
                .graph(Map.of("agent_ß_" + tag, "fp \"1\"", "agent_東京_" + tag, "fp 😀")));
        Effect effect = new Effect(run.id(), "t1/call_ü", Effect.Kind.TOOL, Effect.Status.DONE, run.startAgent(), "search",
                json, json, 1, now, now.plusMillis(5), null);
        RecordedEvent event = new RecordedEvent(run.id(), 0, "ToolCalled", run.currentAgent(), now, json);
        Approval approval = new Approval(run.id(), "call_ü", run.currentAgent(), "search", json, Approval.Status.PENDING, null,
                now, null);

        store.recordEffect(effect);
        store.appendEvents(List.of(event));
        store.requestApprovals(List.of(approval));
        // Read before the decision, which resumes the paused run.
        assertThat(store.findRun(run.id())).contains(run);
        Approval decided = store.decide(run.id(), "call_ü", false, text, now.plusSeconds(1)).orElseThrow();

        assertThat(store.effects(run.id())).containsExactly(effect);
        assertThat(store.events(run.id(), 0, 10)).containsExactly(event);
        assertThat(decided.message()).isEqualTo(text);
        assertThat(store.approvals(run.id())).containsExactly(decided);
    }

    @Test
    protected void a_listed_run_is_the_same_as_the_found_one() {
        RunRecord run = create(aRun().status(RunStatus.PAUSED).owner("worker-" + tag, now.plusSeconds(30))
                .outcome("\"x\"", "y", "{\"z\":1}"));

        assertThat(store.listRuns(RunQuery.all().withSession(session))).containsExactly(run);
        assertThat(store.findRun(run.id())).contains(run);
    }

    // ---- helpers

    /** Creates the run in the store and returns it as created. */
    private RunRecord create(RunBuilder builder) {
        RunRecord run = builder.build();
        store.createRun(run);
        return run;
    }

    /** A run of this test: a new id, this test's session, running, with no owner, created now. */
    private RunBuilder aRun() {
        return new RunBuilder(newRunId(), session, now);
    }

    /** The ids of this test's runs among {@code ids}, in their order. */
    private List<String> ofThisTest(List<String> ids) {
        Set<String> mine = new HashSet<>(runIds);
        return ids.stream().filter(mine::contains).toList();
    }

    private static Effect effect(RunRecord run, String key, Effect.Kind kind, Effect.Status status, @Nullable String result,
            int attempts, Instant startedAt) {
        return new Effect(run.id(), key, kind, status, run.currentAgent(), kind == Effect.Kind.TOOL ? "get_invoice" : "gpt-4o-mini",
                "{\"key\":\"" + key + "\"}", result, attempts, startedAt,
                status == Effect.Status.DONE ? startedAt.plusMillis(25) : null,
                kind == Effect.Kind.MODEL && status == Effect.Status.DONE ? Usage.of(100, 20) : null);
    }

    /** {@code count} events of the run from sequence number {@code from}, their types and agents varying. */
    private List<RecordedEvent> events(RunRecord run, long from, int count) {
        List<String> types = List.of("AgentStarted", "ToolCalled", "ToolOutputReceived", "HandoffOccurred", "MessageOutput");
        return LongStream.range(from, from + count)
                .mapToObj(seq -> new RecordedEvent(run.id(), seq, types.get((int) (seq % types.size())),
                        seq % 2 == 0 ? TRIAGE : BILLING, now.plusMillis(seq), "{\"seq\":" + seq + ",\"text\":\"event " + seq + "\"}"))
                .toList();
    }

    private static Approval approval(RunRecord run, String callId, Instant requestedAt) {
        return approval(run, callId, requestedAt, 0);
    }

    private static Approval approval(RunRecord run, String callId, Instant requestedAt, int turn) {
        return new Approval(run.id(), callId, run.currentAgent(), "issue_refund",
                "{\"invoice_id\":\"INV-8821\",\"call\":\"" + callId + "\",\"turn\":" + turn + "}",
                Approval.Status.PENDING, null, requestedAt, null, turn);
    }

    /** The pending approvals of the run, as {@link RunStore#pendingApprovals} lists them. */
    private List<Approval> pendingOf(RunRecord run) {
        return store.pendingApprovals(1000).stream().filter(a -> a.runId().equals(run.id())).toList();
    }

    /**
     * Runs {@code task} on {@value #THREADS} threads that start at once, and returns what each
     * returned, by thread number.
     */
    private static <T> List<T> runConcurrently(IntFunction<T> task) {
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<T>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                results.add(threads.submit(() -> {
                    ready.countDown();
                    start.await();
                    return task.apply(id);
                }));
            }
            ready.await(30, TimeUnit.SECONDS);
            start.countDown();
            List<T> values = new ArrayList<>();
            for (Future<T> result : results) {
                values.add(result.get(50, TimeUnit.SECONDS));
            }
            return Collections.unmodifiableList(values);
        } catch (Exception e) {
            throw new AssertionError("a concurrent task failed: " + e, e);
        } finally {
            threads.shutdownNow();
        }
    }

    /** A run record to create, with this test's defaults. */
    private static final class RunBuilder {
        private String id;
        private String application = RunRecord.DEFAULT_APPLICATION;
        private String startAgent = TRIAGE;
        private String currentAgent = TRIAGE;
        private @Nullable String sessionId;
        private List<Item> input = List.of(Message.user("I was charged twice"));
        private RunStatus status = RunStatus.RUNNING;
        private Instant createdAt;
        private @Nullable String finalOutput;
        private @Nullable String error;
        private Usage usage = Usage.zero();
        private Map<String, String> graph = Map.of(TRIAGE, "fp-triage", BILLING, "fp-billing");
        private @Nullable String pausedState;
        private @Nullable String owner;
        private @Nullable Instant leaseUntil;

        RunBuilder(String id, String sessionId, Instant createdAt) {
            this.id = id;
            this.sessionId = sessionId;
            this.createdAt = createdAt;
        }

        RunBuilder id(String id) {
            this.id = id;
            return this;
        }

        RunBuilder agents(String startAgent, String currentAgent) {
            this.startAgent = startAgent;
            this.currentAgent = currentAgent;
            return this;
        }

        RunBuilder application(String application) {
            this.application = application;
            return this;
        }

        RunBuilder session(@Nullable String sessionId) {
            this.sessionId = sessionId;
            return this;
        }

        RunBuilder input(List<Item> input) {
            this.input = input;
            return this;
        }

        RunBuilder status(RunStatus status) {
            this.status = status;
            return this;
        }

        RunBuilder createdAt(Instant createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        RunBuilder outcome(@Nullable String finalOutput, @Nullable String error, @Nullable String pausedState) {
            this.finalOutput = finalOutput;
            this.error = error;
            this.pausedState = pausedState;
            this.usage = Usage.of(500, 60);
            return this;
        }

        RunBuilder graph(Map<String, String> graph) {
            this.graph = graph;
            return this;
        }

        RunBuilder owner(String owner, @Nullable Instant leaseUntil) {
            this.owner = owner;
            this.leaseUntil = leaseUntil;
            return this;
        }

        RunRecord build() {
            return new RunRecord(id, application, startAgent, currentAgent, sessionId, input, status, createdAt,
                    createdAt.plus(Duration.ofMillis(250)), finalOutput, error, usage, graph, pausedState, owner, leaseUntil);
        }
    }
}
