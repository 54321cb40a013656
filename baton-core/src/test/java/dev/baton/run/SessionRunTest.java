package dev.baton.run;

import static dev.baton.run.Script.handoff;
import static dev.baton.run.Script.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.ModelCallFailed;
import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.session.InMemorySessionStore;
import dev.baton.session.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Sessions")
class SessionRunTest {

    static Agent<Void> triage() {
        Agent<Void> billing = Agent.<Void>builder("billing_specialist").build();
        return Agent.<Void>builder("support_triage").handoffs(billing).build();
    }

    @Test
    void the_next_message_on_a_session_goes_to_the_agent_that_holds_the_conversation() {
        Script model = new Script(handoff("billing_specialist"), reply("Which invoice?"), reply("Refund started."));
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());

        runner.run(triage(), "I was charged twice", RunOptions.session("ticket-1"));
        RunResult second = runner.run(triage(), "INV-8821", RunOptions.session("ticket-1"));

        assertThat(model.requests.get(2).agent()).isEqualTo("billing_specialist");
        assertThat(second.lastAgent()).isEqualTo("billing_specialist");
        List<Item> seen = model.requests.get(2).input();
        assertThat(seen.get(0)).isEqualTo(Message.user("I was charged twice"));
        assertThat(seen.get(seen.size() - 1)).isEqualTo(Message.user("INV-8821"));
        assertThat(runner.config().sessionStore().activeAgent("ticket-1")).contains("billing_specialist");
    }

    @Test
    void items_are_saved_turn_by_turn_so_a_failure_keeps_what_was_done() {
        AtomicInteger calls = new AtomicInteger();
        Model failsSecond = request -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("provider down");
            }
            return Script.handoff("billing_specialist").apply(request);
        };
        Session session = Session.inMemory("ticket-2");

        assertThatThrownBy(() -> Runner.create().run(triage(), "help", RunOptions.<Void>none().withSession(session).withModel(failsSecond)))
                .isInstanceOf(ModelCallFailed.class)
                .hasMessageContaining("provider down");

        assertThat(session.items()).hasSize(3);
        assertThat(session.activeAgent()).contains("billing_specialist");
    }

    @Test
    void two_runs_on_one_session_at_once_take_turns() {
        InMemorySessionStore store = new InMemorySessionStore();
        Model slowEcho = new Model() {
            @Override
            public ModelResponse respond(ModelRequest request) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                Message last = (Message) request.input().get(request.input().size() - 1);
                return Script.response(Message.assistant("echo " + last.text()));
            }
        };
        Runner runner = Runner.create(RunConfig.builder().defaultModel(slowEcho).sessionStore(store).build());
        Agent<Void> agent = Agent.<Void>builder("echo").build();

        List<CompletableFuture<RunResult>> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            runs.add(runner.runAsync(agent, "m" + i, RunOptions.session("shared")));
        }
        runs.forEach(CompletableFuture::join);

        List<Item> items = store.items("shared", 0);
        assertThat(items).hasSize(16);
        for (int i = 0; i < 16; i += 2) {
            String asked = ((Message) items.get(i)).text();
            assertThat(((Message) items.get(i + 1)).text()).isEqualTo("echo " + asked);
        }
    }

    @Test
    void a_store_that_fails_stops_the_run_with_a_clear_error_and_keeps_the_items() {
        InMemorySessionStore flaky = new InMemorySessionStore();
        AtomicInteger writes = new AtomicInteger();
        dev.baton.session.SessionStore failingSecondWrite = new dev.baton.session.SessionStore() {
            @Override
            public List<Item> items(String id, int limit) {
                return flaky.items(id, limit);
            }

            @Override
            public void addItems(String id, List<Item> items) {
                flaky.addItems(id, items);
            }

            @Override
            public void addItems(dev.baton.session.SessionLease lease, List<Item> items) {
                if (writes.incrementAndGet() == 2) {
                    throw new IllegalStateException("disk full");
                }
                flaky.addItems(lease, items);
            }

            @Override
            public boolean addItemsOnce(dev.baton.session.SessionLease lease, String key, List<Item> items) {
                throw new UnsupportedOperationException("only durable runs write once");
            }

            @Override
            public void setActiveAgent(dev.baton.session.SessionLease lease, String agent) {
                flaky.setActiveAgent(lease, agent);
            }

            @Override
            public void recordUsage(dev.baton.session.SessionLease lease, String runId, dev.baton.model.Usage usage, java.time.Instant at) {
                flaky.recordUsage(lease, runId, usage, at);
            }

            @Override
            public java.util.Optional<dev.baton.session.SessionLease> tryLease(String id, String owner, java.time.Duration ttl) {
                return flaky.tryLease(id, owner, ttl);
            }

            @Override
            public java.util.Optional<dev.baton.session.SessionLease> renewLease(dev.baton.session.SessionLease lease,
                    java.time.Duration ttl) {
                return flaky.renewLease(lease, ttl);
            }

            @Override
            public void releaseLease(dev.baton.session.SessionLease lease) {
                flaky.releaseLease(lease);
            }

            @Override
            public java.util.Optional<dev.baton.session.SessionLease> lease(String id) {
                return flaky.lease(id);
            }

            @Override
            public void recordUsage(String id, String runId, dev.baton.model.Usage usage, java.time.Instant at) {
                flaky.recordUsage(id, runId, usage, at);
            }

            @Override
            public List<dev.baton.session.TurnUsage> usage(String id) {
                return flaky.usage(id);
            }

            @Override
            public boolean addItemsOnce(String id, String key, List<Item> items) {
                throw new UnsupportedOperationException("only durable runs write once");
            }

            @Override
            public java.util.Optional<Item> popItem(String id) {
                return flaky.popItem(id);
            }

            @Override
            public void clear(String id) {
                flaky.clear(id);
            }

            @Override
            public java.util.Optional<String> activeAgent(String id) {
                return flaky.activeAgent(id);
            }

            @Override
            public void setActiveAgent(String id, String agent) {
                flaky.setActiveAgent(id, agent);
            }
        };
        Session session = new Session("t", failingSecondWrite);

        assertThatThrownBy(() -> Runner.create().run(triage(), "hi", RunOptions.<Void>none().withSession(session)
                .withModel(new Script(reply("hello")))))
                .isInstanceOfSatisfying(dev.baton.SessionStoreFailed.class, e -> {
                    assertThat(e).hasMessageContaining("save items").hasMessageContaining("disk full");
                    assertThat(e.items()).singleElement().isInstanceOf(dev.baton.item.RunItem.MessageItem.class);
                });
        assertThat(flaky.items("t", 0)).containsExactly(Message.user("hi"));
    }

    @Test
    void a_session_can_be_cleared_and_popped() {
        Session session = Session.inMemory("s");
        Runner.create().run(triage(), "hi", RunOptions.<Void>none().withSession(session).withModel(new Script(reply("hello"))));

        assertThat(session.popLast()).contains(Message.assistant("hello"));
        assertThat(session.items()).containsExactly(Message.user("hi"));
        session.clear();
        assertThat(session.items()).isEmpty();
        assertThat(session.activeAgent()).isEmpty();
    }
}
