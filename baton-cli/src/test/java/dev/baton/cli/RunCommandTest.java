package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.cli.desk.Desks;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.internal.AgentAccess;
import dev.baton.item.Message;
import dev.baton.jdbc.SqliteRunStore;
import dev.baton.model.Usage;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code baton run}, {@code runs} and {@code approvals}, each a separate invocation on one database. */
class RunCommandTest {
    @TempDir
    Path dir;

    @Test
    void run_prints_the_reply_and_how_to_continue() {
        Cli.Result r = Cli.inProcess(dir, "", "run", ChatCommandTest.DOUBLE_CHARGE);

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("-> handoff support_triage -> billing_specialist").contains("[billing_specialist] ")
                .contains("· completed · session " + r.session());
    }

    @Test
    void run_json_prints_one_json_object_per_recorded_event() throws Exception {
        Cli.Result r = Cli.inProcess(dir, "", "run", ChatCommandTest.DOUBLE_CHARGE, "--json");

        assertThat(r.exit()).as("%s", r).isZero();
        ObjectMapper json = new ObjectMapper();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).isNotEmpty();
        long seq = 0;
        for (String line : lines) {
            JsonNode e = json.readTree(line);
            assertThat(e.path("seq").asLong()).isEqualTo(seq++);
            assertThat(e.path("run_id").asText()).startsWith("run_");
            assertThat(e.has("data")).isTrue();
        }
        List<String> types = lines.stream().map(l -> {
            try {
                return json.readTree(l).path("type").asText();
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        }).toList();
        assertThat(types).first().isEqualTo("RunStarted");
        assertThat(types).contains("HandoffOccurred", "ToolCalled", "ToolFinished", "MessageOutput").last().isEqualTo("RunCompleted");
        assertThat(r.err()).contains("Baton · desk support");
    }

    @Test
    void a_paused_run_is_approved_by_a_later_command_which_continues_it() {
        Cli.Result paused = Cli.inProcess(dir, "", "run", ChatCommandTest.BIG_REFUND);
        assertThat(paused.exit()).as("%s", paused).isZero();
        assertThat(paused.out()).contains("Paused: 1 call waits for approval").contains("process_refund").contains("· paused ·");
        String approval = paused.approvalId();

        assertThat(Cli.inProcess(dir, "", "approvals", "list").out()).contains(approval);
        assertThat(Cli.inProcess(dir, "", "runs", "list", "--status", "paused").out()).contains(approval.split("/")[0]);

        Cli.Result approved = Cli.inProcess(dir, "", "approvals", "approve", approval);
        assertThat(approved.exit()).as("%s", approved).isZero();
        assertThat(approved.out()).contains("Approved process_refund").contains("=> process_refund: {")
                .contains(approval.split("/")[0] + " completed · [billing_specialist]");

        assertThat(Cli.inProcess(dir, "", "approvals", "list").out()).contains("No approvals waiting.");
        Cli.inProcess(dir, "", "approvals", "approve", approval).failsWithOneLine("already approved");

        Cli.Result shown = Cli.inProcess(dir, "", "runs", "show", approval.split("/")[0]);
        assertThat(shown.exit()).isZero();
        assertThat(shown.out()).contains("· completed · desk support").contains("events").contains("HandoffOccurred")
                .contains("support_triage -> billing_specialist").contains("steps").contains("m1").contains("model")
                .contains("approvals").contains("approved");
    }

    @Test
    void a_rejection_with_a_message_continues_the_run_without_the_call() {
        String approval = Cli.inProcess(dir, "", "run", ChatCommandTest.BIG_REFUND).approvalId();

        Cli.Result rejected = Cli.inProcess(dir, "", "approvals", "reject", approval, "--message", "Only a manager may refund this");

        assertThat(rejected.exit()).as("%s", rejected).isZero();
        assertThat(rejected.out()).contains("Rejected process_refund").contains("message: Only a manager may refund this")
                .contains(" completed · ").doesNotContain("\"invoice_status\":\"refunded\"");
    }

    @Test
    void runs_are_listed_by_desk_status_and_session() {
        Cli.Result support = Cli.inProcess(dir, "", "run", ChatCommandTest.DOUBLE_CHARGE);
        Cli.Result rma = Cli.inProcess(dir, "", "run", "How do I connect my X200 headset over bluetooth to my laptop?", "--desk", "rma");
        assertThat(rma.exit()).as("%s", rma).isZero();

        String all = Cli.inProcess(dir, "", "runs", "list").out();
        assertThat(all).contains("RUN", "STATUS", "DESK", support.session(), rma.session());
        assertThat(Cli.inProcess(dir, "", "runs", "list", "--desk", "rma").out()).contains(rma.session()).doesNotContain(support.session());
        assertThat(Cli.inProcess(dir, "", "runs", "list", "--session", support.session()).out()).doesNotContain(rma.session());
        assertThat(Cli.inProcess(dir, "", "runs", "list", "--status", "failed").out()).contains("No runs match.");
    }

    @Test
    void runs_resume_takes_over_a_run_left_running_by_a_process_that_died() {
        Path db = dir.resolve(".baton/baton.db");
        Cli.inProcess(dir, "", "runs", "list"); // creates the database
        Map<String, String> graph = new TreeMap<>();
        AgentAccess.reachableAgents(Desks.create("support", p -> java.util.Optional.empty()).entry()).forEach((name, a) -> graph.put(name, a.fingerprint()));
        Instant long_ago = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
        try (SqliteRunStore store = SqliteRunStore.open(db)) {
            store.createRun(new RunRecord("run_orphan", "support", "support_triage", "support_triage", null,
                    List.of(Message.user(ChatCommandTest.DOUBLE_CHARGE)), RunStatus.RUNNING, long_ago, long_ago, null, null,
                    Usage.zero(), graph, null, "dead-worker", long_ago.plusSeconds(5)));
        }
        assertThat(Cli.inProcess(dir, "", "runs", "list", "--status", "running").out()).contains("run_orphan");

        Cli.Result resumed = Cli.inProcess(dir, "", "runs", "resume", "run_orphan");

        assertThat(resumed.exit()).as("%s", resumed).isZero();
        assertThat(resumed.out()).contains("Resuming 1 run").contains("run_orphan completed · [billing_specialist]");
        assertThat(Cli.inProcess(dir, "", "runs", "resume").out()).contains("No incomplete runs to resume.");
        assertThat(Cli.inProcess(dir, "", "runs", "resume", "run_orphan").out()).contains("has already ended");
    }
}
