package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.jdbc.PostgresServer;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The desks on PostgreSQL ({@code --db jdbc:postgresql://...}), a real server started by the
 * tests: a turn pauses for approval in one process, another process approves it and the run
 * finishes, and a third continues the session with the specialist. The password never shows.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(120)
class PostgresDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void a_paused_refund_is_approved_by_another_process_and_the_session_continues_with_billing() throws Exception {
        String db = PostgresServer.createDatabase("cli") + "?user=" + PostgresServer.user() + "&password=s3cret-pw";

        Cli.Result paused = Cli.inProcess(dir, "", "run", "Please refund $450 for invoice INV-9000, we were billed for 5 seats we never used.",
                "--desk", "support", "--db", db);
        assertThat(paused.exit()).as("%s", paused).isZero();
        assertThat(paused.out()).contains("-> handoff support_triage -> billing_specialist").contains("store jdbc:postgresql://");
        String session = paused.session();
        String approval = paused.approvalId();

        Cli.Result approved = Cli.childJvm(dir, "", "approvals", "approve", approval, "--db", db);
        assertThat(approved.exit()).as("%s", approved).isZero();
        assertThat(approved.out()).contains("RF-");

        Cli.Result next = Cli.childJvm(dir, "", "run", "Thanks! What is the status of invoice INV-9000 now?", "--session", session,
                "--db", db);
        assertThat(next.exit()).as("%s", next).isZero();
        assertThat(next.out()).doesNotContain("-> handoff").contains("[billing_specialist]");

        Cli.Result runs = Cli.inProcess(dir, "", "runs", "list", "--db", db);
        assertThat(runs.out()).contains("completed  support  billing_specialist  " + session);
        assertThat(paused + "" + approved + next + runs).doesNotContain("s3cret-pw");
    }
}
