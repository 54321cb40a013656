package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.item.HistorySummary;
import dev.baton.item.Image;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.SessionLeaseLost;
import dev.baton.session.SessionLease;
import dev.baton.session.SessionStore;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The behaviour every {@link SessionStore} must have. Extend it in the store's tests and return a
 * store from {@link #createStore()}:
 *
 * <pre>{@code
 * class SqliteSessionStoreConformanceTest extends SessionStoreConformance {
 *     @Override
 *     protected SessionStore createStore() {
 *         return SqliteSessionStore.open(tempDir.resolve("baton.db"));
 *     }
 * }
 * }</pre>
 *
 * <p>Each test uses session ids of its own ({@link #newSessionId()}) and clears them afterwards,
 * so stores backed by a shared database need no cleaning between tests; a store that is
 * {@link AutoCloseable} is closed after each test. A test an implementation
 * cannot meet can be overridden, but that is a deviation from the SPI worth documenting.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
public abstract class SessionStoreConformance {
    private static final int WRITERS = 8;
    private static final int ITEMS_PER_WRITER = 50;

    private final List<String> sessionIds = new ArrayList<>();
    private SessionStore store;

    /** A store to test. Called before each test. */
    protected abstract SessionStore createStore();

    @BeforeEach
    void createStoreUnderTest() {
        store = createStore();
    }

    @AfterEach
    void clearSessionsOfTheTest() {
        if (store == null) {
            return;
        }
        for (String id : sessionIds) {
            store.clear(id);
        }
        Closing.close(store);
    }

    /** The store under test, created before each test: for tests a subclass adds. */
    protected final SessionStore store() {
        return store;
    }

    /** A session id no other test uses, cleared after the test. */
    protected String newSessionId() {
        String id = "conformance-" + UUID.randomUUID();
        sessionIds.add(id);
        return id;
    }

    @Test
    protected void a_session_never_written_reads_as_empty() {
        String session = newSessionId();

        assertThat(store.items(session, 0)).isEmpty();
        assertThat(store.items(session, 3)).isEmpty();
        assertThat(store.activeAgent(session)).isEmpty();
    }

    @Test
    protected void items_come_back_in_the_order_they_were_added() {
        String session = newSessionId();
        List<Item> first = List.of(Message.user("I was charged twice"), Message.assistant("Let me check."));
        List<Item> second = List.of(new ToolCall("call_1", "get_invoice", "{\"invoice_id\":\"INV-8821\"}"),
                new ToolOutput("call_1", "{\"amount\":99}"), Message.assistant("Refund initiated."));

        store.addItems(session, first);
        store.addItems(session, second);

        List<Item> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(store.items(session, 0)).containsExactlyElementsOf(all);
    }

    @Test
    protected void a_limit_returns_the_latest_items_in_order() {
        String session = newSessionId();
        List<Item> items = numbered(5);
        store.addItems(session, items);

        assertThat(store.items(session, 2)).containsExactlyElementsOf(items.subList(3, 5));
        assertThat(store.items(session, 1)).containsExactly(items.get(4));
        assertThat(store.items(session, 5)).containsExactlyElementsOf(items);
        assertThat(store.items(session, 50)).containsExactlyElementsOf(items);
    }

    @Test
    protected void a_limit_of_zero_or_less_returns_all_items() {
        String session = newSessionId();
        List<Item> items = numbered(4);
        store.addItems(session, items);

        assertThat(store.items(session, 0)).containsExactlyElementsOf(items);
        assertThat(store.items(session, -1)).containsExactlyElementsOf(items);
        assertThat(store.items(session, Integer.MIN_VALUE)).containsExactlyElementsOf(items);
    }

    @Test
    protected void pop_removes_and_returns_the_latest_item() {
        String session = newSessionId();
        List<Item> items = numbered(3);
        store.addItems(session, items);

        assertThat(store.popItem(session)).contains(items.get(2));
        assertThat(store.items(session, 0)).containsExactlyElementsOf(items.subList(0, 2));
        assertThat(store.popItem(session)).contains(items.get(1));
        assertThat(store.items(session, 0)).containsExactly(items.get(0));
    }

    @Test
    protected void pop_on_an_empty_session_returns_nothing() {
        String neverWritten = newSessionId();
        String emptied = newSessionId();
        store.addItems(emptied, List.of(Message.user("hello")));
        store.popItem(emptied);

        assertThat(store.popItem(neverWritten)).isEmpty();
        assertThat(store.popItem(emptied)).isEmpty();
        assertThat(store.items(emptied, 0)).isEmpty();
    }

    @Test
    protected void items_added_after_a_pop_follow_the_remaining_ones() {
        String session = newSessionId();
        List<Item> items = numbered(3);
        store.addItems(session, items);
        store.popItem(session);
        Item replacement = Message.assistant("corrected answer");

        store.addItems(session, List.of(replacement));

        assertThat(store.items(session, 0)).containsExactly(items.get(0), items.get(1), replacement);
    }

    @Test
    protected void clear_forgets_the_items_and_the_active_agent() {
        String session = newSessionId();
        store.addItems(session, numbered(3));
        store.setActiveAgent(session, "billing_specialist");

        store.clear(session);

        assertThat(store.items(session, 0)).isEmpty();
        assertThat(store.activeAgent(session)).isEmpty();
        assertThat(store.popItem(session)).isEmpty();
    }

    @Test
    protected void a_cleared_session_can_be_written_again() {
        String session = newSessionId();
        store.addItems(session, numbered(3));
        store.setActiveAgent(session, "billing_specialist");
        store.clear(session);

        store.addItems(session, List.of(Message.user("a new start")));
        store.setActiveAgent(session, "support_triage");

        assertThat(store.items(session, 0)).containsExactly(Message.user("a new start"));
        assertThat(store.activeAgent(session)).contains("support_triage");
    }

    @Test
    protected void clearing_a_session_never_written_is_harmless() {
        String session = newSessionId();

        store.clear(session);

        assertThat(store.items(session, 0)).isEmpty();
        assertThat(store.activeAgent(session)).isEmpty();
    }

    @Test
    protected void the_active_agent_is_stored_and_can_be_overwritten() {
        String session = newSessionId();

        store.setActiveAgent(session, "support_triage");
        assertThat(store.activeAgent(session)).contains("support_triage");

        store.setActiveAgent(session, "billing_specialist");
        assertThat(store.activeAgent(session)).contains("billing_specialist");
    }

    @Test
    protected void setting_the_active_agent_does_not_touch_the_items() {
        String session = newSessionId();
        List<Item> items = numbered(2);
        store.addItems(session, items);

        store.setActiveAgent(session, "billing_specialist");

        assertThat(store.items(session, 0)).containsExactlyElementsOf(items);
        String agentOnly = newSessionId();
        store.setActiveAgent(agentOnly, "support_triage");
        assertThat(store.items(agentOnly, 0)).isEmpty();
    }

    @Test
    protected void sessions_are_isolated_from_each_other() {
        String a = newSessionId();
        String b = newSessionId();
        store.addItems(a, List.of(Message.user("from a"), Message.assistant("to a")));
        store.addItems(b, List.of(Message.user("from b")));
        store.setActiveAgent(a, "billing_specialist");

        assertThat(store.items(a, 0)).containsExactly(Message.user("from a"), Message.assistant("to a"));
        assertThat(store.items(b, 0)).containsExactly(Message.user("from b"));
        assertThat(store.activeAgent(b)).isEmpty();

        store.popItem(a);
        store.clear(b);
        assertThat(store.items(a, 0)).containsExactly(Message.user("from a"));
        assertThat(store.activeAgent(a)).contains("billing_specialist");
    }

    @Test
    protected void a_read_is_a_snapshot_unaffected_by_later_writes() {
        String session = newSessionId();
        store.addItems(session, List.of(Message.user("first")));
        List<Item> snapshot = store.items(session, 0);

        store.addItems(session, List.of(Message.assistant("second")));
        store.popItem(session);
        store.popItem(session);

        assertThat(snapshot).containsExactly(Message.user("first"));
    }

    @Test
    protected void adding_an_empty_list_changes_nothing() {
        String empty = newSessionId();
        String written = newSessionId();
        List<Item> items = numbered(2);
        store.addItems(written, items);

        store.addItems(empty, List.of());
        store.addItems(written, List.of());

        assertThat(store.items(empty, 0)).isEmpty();
        assertThat(store.activeAgent(empty)).isEmpty();
        assertThat(store.items(written, 0)).containsExactlyElementsOf(items);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.baton.testing.SessionStoreConformance#everyKindOfItem")
    protected void every_kind_of_item_round_trips_exactly(Item item) {
        String session = newSessionId();

        store.addItems(session, List.of(item));

        assertThat(store.items(session, 0)).containsExactly(item);
        assertThat(store.popItem(session)).contains(item);
    }

    @Test
    protected void a_conversation_mixing_every_kind_of_item_round_trips_in_order() {
        String session = newSessionId();
        List<Item> items = everyKindOfItem().map(Named::getPayload).toList();

        store.addItems(session, items);

        assertThat(store.items(session, 0)).containsExactlyElementsOf(items);
        assertThat(store.items(session, 3)).containsExactlyElementsOf(items.subList(items.size() - 3, items.size()));
    }

    @Test
    @Timeout(60)
    protected void concurrent_writers_lose_nothing_and_each_keeps_its_order() {
        String session = newSessionId();

        runConcurrently(writer -> {
            for (int i = 0; i < ITEMS_PER_WRITER; i++) {
                store.addItems(session, List.of(Message.user("writer " + writer + " item " + i)));
            }
        });

        List<Item> stored = store.items(session, 0);
        assertThat(stored).hasSize(WRITERS * ITEMS_PER_WRITER);
        for (int w = 0; w < WRITERS; w++) {
            String prefix = "writer " + w + " item ";
            List<String> own = stored.stream()
                    .map(item -> ((Message) item).text())
                    .filter(text -> text.startsWith(prefix))
                    .toList();
            assertThat(own).as("items of writer %d, in the order it added them", w)
                    .containsExactlyElementsOf(IntStream.range(0, ITEMS_PER_WRITER).mapToObj(i -> prefix + i).toList());
        }
    }

    @Test
    @Timeout(60)
    protected void a_batch_added_concurrently_with_others_stays_together() {
        String session = newSessionId();
        int batchSize = 5;

        runConcurrently(writer -> {
            for (int batch = 0; batch < 10; batch++) {
                List<Item> items = new ArrayList<>();
                for (int i = 0; i < batchSize; i++) {
                    items.add(Message.user("writer " + writer + " batch " + batch + " item " + i));
                }
                store.addItems(session, items);
            }
        });

        List<Item> stored = store.items(session, 0);
        assertThat(stored).hasSize(WRITERS * 10 * batchSize);
        for (int start = 0; start < stored.size(); start += batchSize) {
            String first = ((Message) stored.get(start)).text();
            String batchPrefix = first.substring(0, first.lastIndexOf(" item "));
            for (int i = 0; i < batchSize; i++) {
                assertThat(((Message) stored.get(start + i)).text())
                        .as("item %d of the batch starting at position %d", i, start)
                        .isEqualTo(batchPrefix + " item " + i);
            }
        }
    }

    @Test
    protected void adding_once_adds_the_items_the_first_time() {
        String session = newSessionId();
        List<Item> before = List.of(Message.user("I was charged twice"));
        List<Item> turn = List.of(Message.assistant("Let me check."), new ToolCall("call_1", "get_invoice", "{}"));
        store.addItems(session, before);

        assertThat(store.addItemsOnce(session, "run-1/0", turn)).isTrue();

        List<Item> all = new ArrayList<>(before);
        all.addAll(turn);
        assertThat(store.items(session, 0)).containsExactlyElementsOf(all);
    }

    @Test
    protected void adding_again_with_a_key_already_taken_adds_nothing() {
        String session = newSessionId();
        List<Item> turn = List.of(Message.user("I was charged twice"), Message.assistant("Refund initiated."));
        store.addItemsOnce(session, "run-1/0", turn);

        boolean same = store.addItemsOnce(session, "run-1/0", turn);
        boolean different = store.addItemsOnce(session, "run-1/0", List.of(Message.assistant("something else")));

        assertThat(same).isFalse();
        assertThat(different).isFalse();
        assertThat(store.items(session, 0)).containsExactlyElementsOf(turn);
    }

    @Test
    protected void writes_with_different_keys_are_all_added_in_order() {
        String session = newSessionId();

        assertThat(store.addItemsOnce(session, "run-1/0", List.of(Message.user("first")))).isTrue();
        assertThat(store.addItemsOnce(session, "run-1/1", List.of(Message.assistant("second")))).isTrue();
        store.addItems(session, List.of(Message.user("third")));
        assertThat(store.addItemsOnce(session, "run-2/0", List.of(Message.assistant("fourth")))).isTrue();

        assertThat(store.items(session, 0)).containsExactly(Message.user("first"), Message.assistant("second"),
                Message.user("third"), Message.assistant("fourth"));
    }

    @Test
    protected void a_key_taken_on_one_session_is_free_on_another() {
        String first = newSessionId();
        String second = newSessionId();
        store.addItemsOnce(first, "run-1/0", List.of(Message.user("on the first session")));

        assertThat(store.addItemsOnce(second, "run-1/0", List.of(Message.user("on the second session")))).isTrue();

        assertThat(store.items(first, 0)).containsExactly(Message.user("on the first session"));
        assertThat(store.items(second, 0)).containsExactly(Message.user("on the second session"));
    }

    @Test
    protected void popping_items_does_not_free_their_key() {
        String session = newSessionId();
        store.addItemsOnce(session, "run-1/0", List.of(Message.user("hello")));
        store.popItem(session);

        assertThat(store.addItemsOnce(session, "run-1/0", List.of(Message.user("hello")))).isFalse();
        assertThat(store.items(session, 0)).isEmpty();
    }

    @Test
    protected void clear_forgets_the_keys_taken() {
        String session = newSessionId();
        store.addItemsOnce(session, "run-1/0", List.of(Message.user("before the clear")));

        store.clear(session);

        assertThat(store.addItemsOnce(session, "run-1/0", List.of(Message.user("after the clear")))).isTrue();
        assertThat(store.items(session, 0)).containsExactly(Message.user("after the clear"));
    }

    @Test
    protected void usage_per_turn_comes_back_in_the_order_runs_were_first_recorded() {
        String session = newSessionId();
        java.time.Instant t1 = java.time.Instant.parse("2026-11-21T10:15:30.123Z");
        java.time.Instant t2 = java.time.Instant.parse("2026-11-21T10:16:00.456Z");
        store.recordUsage(session, "run_1", new dev.baton.model.Usage(3, 120, 30, 150, 20, 5), t1);
        store.recordUsage(session, "run_2", dev.baton.model.Usage.of(40, 10), t2);

        assertThat(store.usage(session)).containsExactly(
                new dev.baton.session.TurnUsage("run_1", new dev.baton.model.Usage(3, 120, 30, 150, 20, 5), t1),
                new dev.baton.session.TurnUsage("run_2", dev.baton.model.Usage.of(40, 10), t2));
    }

    @Test
    protected void recording_a_run_again_replaces_its_usage_and_keeps_its_place() {
        String session = newSessionId();
        java.time.Instant t = java.time.Instant.parse("2026-11-21T10:15:30.000Z");
        store.recordUsage(session, "run_paused", dev.baton.model.Usage.of(10, 1), t);
        store.recordUsage(session, "run_next", dev.baton.model.Usage.of(20, 2), t.plusSeconds(1));
        store.recordUsage(session, "run_paused", dev.baton.model.Usage.of(30, 3), t.plusSeconds(2));

        assertThat(store.usage(session)).extracting(dev.baton.session.TurnUsage::runId).containsExactly("run_paused", "run_next");
        assertThat(store.usage(session).get(0).usage()).isEqualTo(dev.baton.model.Usage.of(30, 3));
        assertThat(store.usage(session).get(0).recordedAt()).isEqualTo(t.plusSeconds(2));
    }

    @Test
    protected void usage_is_per_session_and_clear_forgets_it() {
        String a = newSessionId();
        String b = newSessionId();
        store.recordUsage(a, "run_1", dev.baton.model.Usage.of(10, 1), java.time.Instant.parse("2026-11-21T10:00:00Z"));

        assertThat(store.usage(b)).isEmpty();
        store.clear(a);
        assertThat(store.usage(a)).isEmpty();
    }

    @Test
    @Timeout(60)
    protected void of_concurrent_writers_with_the_same_key_exactly_one_adds_its_items() {
        for (int round = 0; round < 5; round++) {
            String session = newSessionId();
            java.util.Map<Integer, Boolean> added = new java.util.concurrent.ConcurrentHashMap<>();

            runConcurrently(writer -> added.put(writer, store.addItemsOnce(session, "run-1/0",
                    List.of(Message.user("writer " + writer), Message.assistant("reply to writer " + writer)))));

            assertThat(added.values()).as("results of round %d", round).hasSize(WRITERS).containsOnlyOnce(true);
            int winner = added.entrySet().stream().filter(java.util.Map.Entry::getValue).findFirst().orElseThrow().getKey();
            assertThat(store.items(session, 0)).as("items of round %d", round)
                    .containsExactly(Message.user("writer " + winner), Message.assistant("reply to writer " + winner));
        }
    }

    @Test
    @Timeout(60)
    protected void concurrent_writes_with_distinct_keys_lose_nothing_and_each_stays_together() {
        String session = newSessionId();
        int batches = 10;
        int batchSize = 5;
        java.util.Queue<String> refused = new java.util.concurrent.ConcurrentLinkedQueue<>();

        runConcurrently(writer -> {
            for (int batch = 0; batch < batches; batch++) {
                List<Item> items = new ArrayList<>();
                for (int i = 0; i < batchSize; i++) {
                    items.add(Message.user("writer " + writer + " batch " + batch + " item " + i));
                }
                if (!store.addItemsOnce(session, "writer-" + writer + "/" + batch, items)) {
                    refused.add("writer-" + writer + "/" + batch);
                }
            }
        });

        assertThat(refused).as("writes refused although their keys were new").isEmpty();
        List<Item> stored = store.items(session, 0);
        assertThat(stored).hasSize(WRITERS * batches * batchSize);
        List<String> batchOrder = new ArrayList<>();
        for (int start = 0; start < stored.size(); start += batchSize) {
            String first = ((Message) stored.get(start)).text();
            String batchPrefix = first.substring(0, first.lastIndexOf(" item "));
            batchOrder.add(batchPrefix);
            for (int i = 0; i < batchSize; i++) {
                assertThat(((Message) stored.get(start + i)).text())
                        .as("item %d of the batch starting at position %d", i, start)
                        .isEqualTo(batchPrefix + " item " + i);
            }
        }
        for (int w = 0; w < WRITERS; w++) {
            String prefix = "writer " + w + " batch ";
            assertThat(batchOrder.stream().filter(b -> b.startsWith(prefix)).toList())
                    .as("batches of writer %d, in the order it added them", w)
                    .containsExactlyElementsOf(IntStream.range(0, batches).mapToObj(b -> prefix + b).toList());
        }
    }

    // --- leases: one owner at a time, fenced writes -----------------------------------------

    private static final java.time.Duration MINUTE = java.time.Duration.ofMinutes(1);

    @Test
    protected void a_free_session_is_leased_to_one_owner_at_a_time() {
        String session = newSessionId();

        SessionLease first = store.tryLease(session, "worker-1", MINUTE).orElseThrow();

        assertThat(first.sessionId()).isEqualTo(session);
        assertThat(first.owner()).isEqualTo("worker-1");
        assertThat(store.tryLease(session, "worker-2", MINUTE)).as("while worker-1 holds it").isEmpty();
        assertThat(store.lease(session)).map(SessionLease::owner).contains("worker-1");
        assertThat(store.lease(newSessionId())).as("another session").isEmpty();
        assertThat(store.tryLease(newSessionId(), "worker-2", MINUTE)).as("another session is free").isPresent();
    }

    @Test
    protected void a_released_session_is_taken_at_once_with_a_larger_token() {
        String session = newSessionId();
        SessionLease first = store.tryLease(session, "worker-1", MINUTE).orElseThrow();

        store.releaseLease(first);

        assertThat(store.lease(session)).isEmpty();
        SessionLease second = store.tryLease(session, "worker-2", MINUTE).orElseThrow();
        assertThat(second.token()).isGreaterThan(first.token());
        store.releaseLease(first); // released twice, and by a holder that is gone: changes nothing
        assertThat(store.lease(session)).contains(second);
    }

    @Test
    @Timeout(30)
    protected void an_expired_lease_lets_another_owner_take_the_session() throws InterruptedException {
        String session = newSessionId();
        SessionLease crashed = store.tryLease(session, "worker-1", java.time.Duration.ofMillis(50)).orElseThrow();

        java.util.Optional<SessionLease> next;
        while ((next = store.tryLease(session, "worker-2", MINUTE)).isEmpty()) {
            Thread.sleep(20); // until the lease of worker-1, which never renews it, expires
        }

        assertThat(next.get().token()).isGreaterThan(crashed.token());
        assertThat(store.renewLease(crashed, MINUTE)).as("the expired lease, once taken over, is lost").isEmpty();
    }

    @Test
    protected void renewing_extends_a_lease_and_a_released_one_cannot_be_renewed() {
        String session = newSessionId();
        SessionLease lease = store.tryLease(session, "worker-1", java.time.Duration.ofSeconds(5)).orElseThrow();

        SessionLease renewed = store.renewLease(lease, MINUTE).orElseThrow();

        assertThat(renewed.token()).isEqualTo(lease.token());
        assertThat(renewed.owner()).isEqualTo("worker-1");
        assertThat(renewed.expiresAt()).isAfter(lease.expiresAt());
        store.releaseLease(renewed);
        assertThat(store.renewLease(renewed, MINUTE)).isEmpty();
        assertThat(store.lease(session)).isEmpty();
    }

    @Test
    protected void the_holder_writes_items_and_the_active_agent_through_its_lease() {
        String session = newSessionId();
        SessionLease lease = store.tryLease(session, "worker-1", MINUTE).orElseThrow();

        store.addItems(lease, List.of(Message.user("refund INV-1")));
        assertThat(store.addItemsOnce(lease, "run-1/turn1", List.of(Message.assistant("Refund started.")))).isTrue();
        assertThat(store.addItemsOnce(lease, "run-1/turn1", List.of(Message.assistant("Refund started.")))).isFalse();
        store.setActiveAgent(lease, "billing");

        assertThat(store.items(session, 0)).containsExactly(Message.user("refund INV-1"), Message.assistant("Refund started."));
        assertThat(store.activeAgent(session)).contains("billing");
    }

    @Test
    protected void a_writer_that_lost_the_session_writes_nothing() {
        String session = newSessionId();
        SessionLease stale = store.tryLease(session, "worker-1", MINUTE).orElseThrow();
        store.addItems(stale, List.of(Message.user("refund INV-1")));
        store.setActiveAgent(stale, "billing");
        store.releaseLease(stale);
        SessionLease current = store.tryLease(session, "worker-2", MINUTE).orElseThrow();

        assertThatThrownBy(() -> store.addItems(stale, List.of(Message.assistant("stale reply"))))
                .isInstanceOfSatisfying(SessionLeaseLost.class, e -> assertThat(e.sessionId()).isEqualTo(session))
                .hasMessageContaining(session);
        assertThatThrownBy(() -> store.addItemsOnce(stale, "run-1/turn2", List.of(Message.assistant("stale reply"))))
                .isInstanceOf(SessionLeaseLost.class);
        assertThatThrownBy(() -> store.setActiveAgent(stale, "refunds")).isInstanceOf(SessionLeaseLost.class);

        assertThat(store.items(session, 0)).containsExactly(Message.user("refund INV-1"));
        assertThat(store.activeAgent(session)).contains("billing");
        assertThat(store.addItemsOnce(current, "run-1/turn2", List.of(Message.assistant("current reply"))))
                .as("the stale writer's key stays free").isTrue();
        assertThat(store.lease(session)).contains(current);
    }

    @Test
    protected void the_holder_records_usage_through_its_lease() {
        String session = newSessionId();
        java.time.Instant t = java.time.Instant.parse("2026-11-21T10:15:30.000Z");
        SessionLease lease = store.tryLease(session, "worker-1", MINUTE).orElseThrow();

        store.recordUsage(lease, "run_1", dev.baton.model.Usage.of(10, 1), t);
        store.recordUsage(lease, "run_1", dev.baton.model.Usage.of(30, 3), t.plusSeconds(1));

        assertThat(store.usage(session)).containsExactly(
                new dev.baton.session.TurnUsage("run_1", dev.baton.model.Usage.of(30, 3), t.plusSeconds(1)));
    }

    @Test
    protected void a_writer_that_lost_the_session_records_no_usage() {
        String session = newSessionId();
        java.time.Instant t = java.time.Instant.parse("2026-11-21T10:15:30.000Z");
        SessionLease stale = store.tryLease(session, "worker-1", MINUTE).orElseThrow();
        store.recordUsage(stale, "run_1", dev.baton.model.Usage.of(10, 1), t);
        store.releaseLease(stale);
        SessionLease current = store.tryLease(session, "worker-2", MINUTE).orElseThrow();

        assertThatThrownBy(() -> store.recordUsage(stale, "run_1", dev.baton.model.Usage.of(99, 9), t.plusSeconds(1)))
                .isInstanceOfSatisfying(SessionLeaseLost.class, e -> assertThat(e.sessionId()).isEqualTo(session))
                .hasMessageContaining(session);
        assertThatThrownBy(() -> store.recordUsage(stale, "run_late", dev.baton.model.Usage.of(5, 5), t.plusSeconds(2)))
                .isInstanceOf(SessionLeaseLost.class);

        assertThat(store.usage(session)).as("the stale writer changed nothing")
                .containsExactly(new dev.baton.session.TurnUsage("run_1", dev.baton.model.Usage.of(10, 1), t));
        store.recordUsage(current, "run_2", dev.baton.model.Usage.of(20, 2), t.plusSeconds(3));
        assertThat(store.usage(session)).extracting(dev.baton.session.TurnUsage::runId).containsExactly("run_1", "run_2");
    }

    @Test
    protected void a_lease_needs_an_owner_and_a_positive_time() {
        String session = newSessionId();

        assertThatThrownBy(() -> store.tryLease(session, " ", MINUTE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.tryLease(session, "worker-1", java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.lease(session)).as("nothing was taken").isEmpty();
    }

    @Test
    @Timeout(60)
    protected void of_concurrent_owners_exactly_one_takes_a_free_session() {
        for (int round = 0; round < 5; round++) {
            String session = newSessionId();
            java.util.Queue<SessionLease> taken = new java.util.concurrent.ConcurrentLinkedQueue<>();

            runConcurrently(writer -> store.tryLease(session, "worker-" + writer, MINUTE).ifPresent(taken::add));

            assertThat(taken).as("leases taken in round %d", round).hasSize(1);
            assertThat(store.lease(session)).contains(taken.peek());
        }
    }

    /** Every kind of item, with the edge cases a store's encoding must survive. */
    static Stream<Named<Item>> everyKindOfItem() {
        List<Named<Item>> items = new ArrayList<>();
        for (Message.Role role : Message.Role.values()) {
            String name = role.name().toLowerCase(java.util.Locale.ROOT);
            items.add(Named.of(name + " message", new Message(role, "a " + name + " message")));
            items.add(Named.of(name + " message with an id", new Message(role, "a " + name + " message", "msg_" + name + "_1")));
        }
        items.add(Named.of("empty assistant message", Message.assistant("")));
        items.add(Named.of("history summary message", new HistorySummary(List.of("user: I was charged twice",
                "called transfer_to_billing({})")).message("<CONVERSATION HISTORY>\n1. user: I was charged twice\n"
                + "2. called transfer_to_billing({})\n</CONVERSATION HISTORY>")));
        items.add(Named.of("assistant refusal", Message.assistantRefusal("I can't help with that.")));
        items.add(Named.of("assistant refusal with text and an id",
                new Message(Message.Role.ASSISTANT, "Here is part of it.", "msg_refusal_1", "I can't share the rest.")));
        items.add(Named.of("tool call", new ToolCall("call_1", "get_invoice", "{\"invoice_id\":\"INV-8821\"}")));
        items.add(Named.of("tool call with an item id", new ToolCall("call_2", "get_invoice", "{\"invoice_id\":\"INV-1\"}", "fc_2")));
        items.add(Named.of("tool call with nested, escaped and unicode arguments", new ToolCall("call_3", "search",
                "{\"q\":\"\\\"quoted\\\" \\\\ back\\nslash\",\"tags\":[1,2.5,null,true,{\"deep\":[]}],\"city\":\"Zürich 東京 😀\"}")));
        items.add(Named.of("tool call with malformed arguments", new ToolCall("call_4", "get_invoice", "{\"invoice_id\": \"INV-")));
        items.add(Named.of("tool call with empty arguments", new ToolCall("call_5", "list_invoices", "")));
        items.add(Named.of("tool output", new ToolOutput("call_1", "{\"id\":\"INV-8821\",\"amount\":99,\"status\":\"paid\"}")));
        items.add(Named.of("tool output with an error text", new ToolOutput("call_4", "Error: invalid arguments for tool 'get_invoice'")));
        items.add(Named.of("empty tool output", new ToolOutput("call_5", "")));
        items.add(Named.of("tool output with images", new ToolOutput("call_6", "Receipt INV-8821:", List.of(
                Image.ofBytes("image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13}),
                Image.ofUrl("https://status.example.com/eu-west.png").withDetail(Image.Detail.LOW)))));
        items.add(Named.of("reasoning with id and encrypted content",
                new Reasoning("rs_1", "Checked the invoice before refunding.", "gAAAAABn_encrypted+/=content==")));
        items.add(Named.of("reasoning with a summary only", new Reasoning("Thinking about refunds.")));
        items.add(Named.of("reasoning with an empty summary and encrypted content", new Reasoning("rs_2", "", "opaque")));
        items.add(Named.of("unicode text", Message.user("Grüße aus Zürich — 東京 — مرحبا — 😀👍🏽 — \u200b zero width")));
        items.add(Named.of("multi-line text", Message.assistant("line one\nline two\r\n\ttabbed line\n\n  trailing spaces  \n")));
        items.add(Named.of("large text (100k characters)", Message.user(largeText())));
        return items.stream();
    }

    private static String largeText() {
        StringBuilder text = new StringBuilder(100_000);
        int line = 0;
        while (text.length() < 100_000) {
            text.append("line ").append(line++).append(": the quick brown fox jumps over the lazy dog ✓\n");
        }
        return text.substring(0, 100_000);
    }

    private static List<Item> numbered(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> i % 2 == 0 ? (Item) Message.user("message " + i) : Message.assistant("message " + i))
                .toList();
    }

    /** Runs {@code writer} on {@value #WRITERS} virtual threads at once and waits for all of them. */
    private static void runConcurrently(java.util.function.IntConsumer writer) {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                done.add(threads.submit(() -> {
                    start.await();
                    writer.accept(id);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(50, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError("a concurrent writer failed: " + e, e);
        }
    }
}
