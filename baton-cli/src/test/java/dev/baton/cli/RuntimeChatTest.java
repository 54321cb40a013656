package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code baton chat --runtime inprocess}: the acme desk of seed 001 on the publish/subscribe runtime, offline model. */
class RuntimeChatTest {
    static final String SEED = String.join("\n", "I want a refund", "A pair of shoes I bought", "The shoes are too small",
            "no I want a refund", "y", "I want to talk to your manager", "Hello this is manager",
            "Hi! Thanks for your service. I give you 5 stars!", "Thanks.", "exit", "");
    /** What the console shows of the seed's conversation, in any process: handoffs, the approval, the tool, the manager. */
    static final String[] SEED_CONSOLE = {"-> handoff (transfer_to_issues_and_repairs)", "[issues_and_repairs]",
        "Approve execute_refund", "tool execute_refund", "-> handoff (transfer_back_to_triage)", "-> handoff (escalate_to_human)",
        "[human_agent] Hello this is manager", "[human_agent] Thanks."};

    @TempDir
    Path dir;

    @Test
    void the_seed_conversation_runs_on_the_runtime_with_the_customer_the_approver_and_the_manager_at_the_console() {
        Cli.Result r = Cli.inProcess(dir, SEED, "chat", "--desk", "acme", "--runtime", "inprocess");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("runtime in process")
                .contains(SEED_CONSOLE);
        String session = r.session();
        Cli.Result runs = Cli.inProcess(dir, "", "runs", "list", "--session", session);
        assertThat(runs.out()).as("each turn is a durable run of the desk").contains("turn_").contains("acme")
                .contains("issues_and_repairs").contains("human_agent");
    }

    @Test
    void a_session_continues_on_the_runtime_with_the_agent_that_holds_it() {
        Cli.Result first = Cli.inProcess(dir, "I want a refund\nexit\n", "chat", "--desk", "acme", "--runtime", "inprocess");
        String session = first.session();

        Cli.Result second = Cli.inProcess(dir, "A pair of shoes I bought\nexit\n", "chat", "--runtime", "inprocess", "--session", session);

        assertThat(second.out()).contains("Continuing session " + session + " with issues_and_repairs")
                .contains("[issues_and_repairs]");
    }

    @Test
    void an_unknown_runtime_is_refused_with_the_choices() {
        Cli.Result r = Cli.inProcess(dir, "", "chat", "--runtime", "grpc");

        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("unknown runtime 'grpc'").contains("inprocess").contains("kafka");
    }
}
