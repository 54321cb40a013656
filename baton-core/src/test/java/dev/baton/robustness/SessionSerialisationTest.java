package dev.baton.robustness;

import static dev.baton.robustness.Scripted.calls;
import static dev.baton.robustness.Scripted.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.baton.BatonException;
import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import dev.baton.tool.Tool;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * "Two runs on one session at once are serialised: no interleaved or lost items." A run started
 * from inside a run on the same session (by a tool or a listener) must not slip past the lock.
 */
class SessionSerialisationTest {
    record Q(String q) {}

    private final InMemorySessionStore store = new InMemorySessionStore();

    private Runner runner(Scripted model) {
        return Runner.create(RunConfig.builder().defaultModel(model).sessionStore(store).build());
    }

    /** A tool that asks another agent on the same session, as a naive "consult" helper would. */
    private static Tool<Void> consult(Agent<Void> helper) {
        return Tool.of("consult", "", Q.class, (ctx, q) ->
                ctx.run().runner().run(helper, q.q(), RunOptions.<Void>session(ctx.run().sessionId().orElseThrow()))
                        .finalOutputText());
    }

    @Test
    void a_same_session_run_started_by_a_tool_on_the_run_thread_does_not_interleave_items() {
        Agent<Void> helper = Agent.<Void>builder("helper").build();
        Agent<Void> main = Agent.<Void>builder("main").tools(consult(helper)).build();
        Scripted model = new Scripted()
                .forAgent("main", calls("consult", "{\"q\":\"inner question\"}"), reply("outer done"))
                .forAgent("helper", reply("inner answer"));

        // Today: the session lock is a ReentrantLock and a single tool call runs on the run's own
        // thread, so the inner run re-enters the lock and writes its items in the middle of the
        // outer run's turn. Expected: it is refused (or at least does not interleave).
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(3),
                    () -> runner(model).run(main, "outer question", RunOptions.session("s1")));
        } catch (BatonException refused) {
            return;
        }
        List<Item> items = store.items("s1", 0);
        assertThat(items.get(0)).isEqualTo(Message.user("outer question"));
        assertThat(items.get(1)).as("outer run's tool call must follow its input; whole session: %s", items)
                .isNotEqualTo(Message.user("inner question"));
    }

    @Test
    void a_same_session_run_started_by_one_of_several_concurrent_tools_does_not_hang_forever() {
        Agent<Void> helper = Agent.<Void>builder("helper").build();
        Tool<Void> noop = Tool.of("noop", "", Q.class, (ctx, q) -> "ok");
        Agent<Void> main = Agent.<Void>builder("main").tools(consult(helper), noop).build();
        Scripted model = new Scripted()
                .forAgent("main", calls("consult", "{\"q\":\"inner\"}", "noop", "{\"q\":\"x\"}"), reply("outer done"))
                .forAgent("helper", reply("inner answer"));

        // Two calls run on tool threads: the inner run waits for the lock the outer run holds while
        // the outer run waits for the tool. Expected: a fast, clear failure instead of a deadlock.
        assertTimeoutPreemptively(Duration.ofSeconds(3), () -> {
            try {
                runner(model).run(main, "outer", RunOptions.session("s2"));
            } catch (BatonException expected) {
                // fine
            }
        }, "deadlock: the run waits for its tool, the tool's run waits for the run's session lock");
    }
}
