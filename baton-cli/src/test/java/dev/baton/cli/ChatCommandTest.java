package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code baton chat} driven in this JVM with scripted input, on the support desk and the offline model. */
class ChatCommandTest {
    static final String DOUBLE_CHARGE = "Hi, I was charged $99 twice last month for invoice INV-8821. Can I get a refund?";
    static final String BIG_REFUND = "Please refund $450 for invoice INV-9000, we were billed for 5 seats we never used.";
    static final String FOLLOW_UP = "What is the status of invoice INV-8821?";

    @TempDir
    Path dir;

    @Test
    void a_chat_shows_the_handoff_the_tool_calls_and_the_specialist_speaking() {
        Cli.Result r = Cli.inProcess(dir, DOUBLE_CHARGE + "\n/quit\n", "chat");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("Baton · desk support · model offline (no OPENAI_API_KEY) · store .baton/baton.db")
                .contains("you> " + DOUBLE_CHARGE)
                .contains("-> handoff support_triage -> billing_specialist")
                .contains("   tool get_invoice {\"invoice_id\":\"INV-8821\"}")
                .contains("   => get_invoice: {")
                .contains("[billing_specialist] ")
                .contains("continue with: ./baton chat --session " + r.session());
        assertThat(r.err()).isEmpty();
        assertThat(dir.resolve(".baton/baton.db")).exists();
    }

    @Test
    void an_approval_is_asked_at_the_prompt_and_the_run_continues_when_it_is_granted() {
        Cli.Result r = Cli.inProcess(dir, BIG_REFUND + "\ny\n", "chat");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("Approve process_refund {\"invoice_id\":\"INV-9000\",\"amount\":450")
                .contains("? [y/n] y")
                .contains("=> process_refund: {")
                .contains("\"invoice_status\":\"refunded\"");
        int prompt = r.out().indexOf("Approve process_refund");
        assertThat(r.out().indexOf("=> process_refund")).isGreaterThan(prompt);
    }

    @Test
    void a_rejected_call_takes_the_operators_message_and_refunds_nothing() {
        Cli.Result r = Cli.inProcess(dir, BIG_REFUND + "\nn\nNeeds a manager's sign-off first\n", "chat");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("? [y/n] n").contains("Message for the agent (optional): Needs a manager's sign-off first")
                .doesNotContain("\"invoice_status\":\"refunded\"");
        Cli.Result runs = Cli.inProcess(dir, "", "runs", "list", "--session", r.session());
        String runId = runs.out().lines().filter(l -> l.startsWith("run_")).findFirst().orElseThrow().split(" ")[0];
        assertThat(Cli.inProcess(dir, "", "runs", "show", runId).out()).contains("rejected").contains("Needs a manager's sign-off first");
    }

    @Test
    void a_session_continues_with_the_specialist_that_held_it() {
        Cli.Result first = Cli.inProcess(dir, DOUBLE_CHARGE + "\n", "chat");
        String session = first.session();

        Cli.Result second = Cli.inProcess(dir, FOLLOW_UP + "\n", "chat", "--session", session);

        assertThat(second.exit()).as("%s", second).isZero();
        assertThat(second.out()).contains("Continuing session " + session + " with billing_specialist")
                .contains("[billing_specialist] ")
                .doesNotContain("-> handoff");
    }

    @Test
    void end_of_input_during_an_approval_leaves_the_run_waiting_with_the_commands_to_decide_it() {
        Cli.Result r = Cli.inProcess(dir, BIG_REFUND + "\n", "chat");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("Paused: 1 call waits for approval").contains("baton approvals approve run_");
        assertThat(Cli.inProcess(dir, "", "approvals", "list").out()).contains(r.approvalId()).contains("process_refund");
    }

    @Test
    void a_database_named_with_db_is_used_instead_of_the_default_file() {
        Path db = dir.resolve("elsewhere/desk.db");
        Cli.Result r = Cli.inProcess(dir, DOUBLE_CHARGE + "\n", "chat", "--db", db.toString(), "--create-db");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("store " + db);
        assertThat(db).exists();
        assertThat(Files.exists(dir.resolve(".baton"))).isFalse();
    }
}
