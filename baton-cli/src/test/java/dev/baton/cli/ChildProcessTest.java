package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command in real JVMs ({@code java -cp <test class path> dev.baton.cli.BatonCli}), one per
 * invocation, sharing the default database under their working directory: what one process
 * leaves (a session, a paused run) another continues.
 */
class ChildProcessTest {
    @TempDir
    Path dir;

    @Test
    void a_second_process_continues_the_session_with_the_specialist() throws Exception {
        Cli.Result first = Cli.childJvm(dir, ChatCommandTest.DOUBLE_CHARGE + "\n/quit\n", "chat");
        assertThat(first.exit()).as("%s", first).isZero();
        assertThat(first.out()).contains("you> " + ChatCommandTest.DOUBLE_CHARGE)
                .contains("-> handoff support_triage -> billing_specialist").contains("[billing_specialist] ");
        assertThat(first.err()).doesNotContain("WARNING");
        assertThat(dir.resolve(".baton/baton.db")).exists();

        Cli.Result second = Cli.childJvm(dir, ChatCommandTest.FOLLOW_UP + "\n", "chat", "--session", first.session());

        assertThat(second.exit()).as("%s", second).isZero();
        assertThat(second.out()).contains("Continuing session " + first.session() + " with billing_specialist")
                .contains("[billing_specialist] ").doesNotContain("-> handoff");
    }

    @Test
    void an_approval_answered_at_the_prompt_and_one_decided_by_another_process() throws Exception {
        Cli.Result prompted = Cli.childJvm(dir, ChatCommandTest.BIG_REFUND + "\ny\n", "chat");
        assertThat(prompted.exit()).as("%s", prompted).isZero();
        assertThat(prompted.out()).contains("Approve process_refund").contains("? [y/n] y").contains("=> process_refund: {");

        Cli.Result paused = Cli.childJvm(dir, "", "run", "Please refund $300 for invoice INV-9000, two seats were never used.");
        assertThat(paused.exit()).as("%s", paused).isZero();
        String approval = paused.approvalId();

        Cli.Result approved = Cli.childJvm(dir, "", "approvals", "approve", approval);

        assertThat(approved.exit()).as("%s", approved).isZero();
        assertThat(approved.out()).contains("=> process_refund").contains(approval.split("/")[0] + " completed");
    }

    @Test
    void bad_input_in_a_real_process_is_one_line_on_stderr_and_a_non_zero_exit() throws Exception {
        Cli.childJvm(dir, "", "chat", "--desk", "nope").failsWithOneLine("unknown desk 'nope' (desks: support, acme, rma)");
        Cli.childJvm(dir, "", "runs", "show", "run_missing").failsWithOneLine("unknown run 'run_missing'");
    }
}
