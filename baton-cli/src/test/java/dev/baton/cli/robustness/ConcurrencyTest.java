package dev.baton.cli.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several baton processes (or invocations) on one SQLite database, and end of input at the operator's question. */
@Timeout(120)
class ConcurrencyTest {
    static final String BIG_REFUND = "Please refund $450 for invoice INV-9000, we were billed for 5 seats we never used.";

    @TempDir
    Path dir;

    /*
     * Cause: Turns.drive (Turns.java:49-51) calls run.approve/run.reject for the operator's answer without
     * expecting that another process (`baton approvals approve` in a second terminal, which the docs
     * invite) decided and finished the run meanwhile; the core throws UserError "Run ... has ended
     * (COMPLETED); its approvals can no longer be decided", which escapes ChatCommand.converse and ends
     * the whole chat with exit 1 and the rest of the input unread. Fix: in Turns.drive catch UserError
     * from approve/reject, re-read run.record()/pending(run), tell the operator the call was already decided
     * elsewhere, and carry on with the run as it now is (print its outcome) instead of failing the chat.
     */
    @Test
    void a_chat_whose_pending_call_was_approved_by_another_process_keeps_going() throws Exception {
        PipedOutputStream typing = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(typing, 1 << 16);
        ByteArrayOutputStream chatOut = new ByteArrayOutputStream();
        CompletableFuture<Baton.Result> chat = CompletableFuture.supplyAsync(() -> Baton.run(dir, in, chatOut, "chat"));
        typing.write((BIG_REFUND + "\n").getBytes(StandardCharsets.UTF_8));
        typing.flush();
        await(() -> chatOut.toString(StandardCharsets.UTF_8).contains("? [y/n] "));

        Baton.Result list = Baton.run(dir, "", "approvals", "list");
        String id = list.out().lines().filter(l -> l.startsWith("run_")).findFirst().orElseThrow().split(" ")[0];
        Baton.Result approved = Baton.run(dir, "", "approvals", "approve", id);
        assertThat(approved.exit()).as("%s", approved).isZero();

        typing.write("y\nWhat is the status of invoice INV-8821?\n/quit\n".getBytes(StandardCharsets.UTF_8));
        typing.close();
        Baton.Result r = chat.get(60, TimeUnit.SECONDS);

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.err()).as("%s", r).doesNotContain("baton: ");
        assertThat(r.out()).as("the chat reads on after the decided call").contains("you> What is the status of invoice INV-8821?");
    }

    /*
     * Cause: the human agent's "model" asks the operator through Terminal.ask (Terminal.java:49-55,
     * then HumanModel.java:25), which threw UserError when the input ends; the runner records it as a model
     * failure, so Ctrl-D at "operator>" turns the customer's turn into a FAILED run ("baton: run ... failed:
     * no one answered 'operator>': the input ended", exit 1). An approval prompt ended the same way leaves
     * the run paused and resumable; the escalation is lost instead. Fix: when the operator's input ends,
     * stop the run without ending it (cancel it as resumable / leave it RUNNING for `baton runs resume`,
     * e.g. by throwing the runner's interruption rather than a UserError) and say how to continue.
     */
    @Test
    void end_of_input_at_the_operator_question_leaves_the_escalation_resumable_instead_of_failing_it() {
        Baton.Result r = Baton.run(dir, "let me talk to a human, please\n", "chat", "--desk", "acme");

        assertThat(r.out()).contains("operator> ");
        Baton.Result runs = Baton.run(dir, "", "runs", "list", "--session", r.session());
        assertThat(runs.out()).as("%s%n%s", r, runs).doesNotContain(" failed ");
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).as("%s", r).contains("baton runs resume run_");

        // The escalation is still running (its lease released), and `runs resume` continues it with the operator.
        Baton.Result running = Baton.run(dir, "", "runs", "list", "--session", r.session(), "--status", "running");
        assertThat(running.out().lines().filter(l -> l.startsWith("run_")).count()).as("%s", running).isEqualTo(1);
        Baton.Result resumed = Baton.run(dir, "Hi, Sam from ACME here.\n", "runs", "resume");
        assertThat(resumed.exit()).as("%s", resumed).isZero();
        assertThat(resumed.out()).as("%s", resumed).contains("operator> ").contains("completed");
        Baton.Result after = Baton.run(dir, "", "runs", "list", "--session", r.session());
        assertThat(after.out()).as("%s", after).contains(" completed ").doesNotContain(" running ");
    }

    /*
     * Cause: RunsResumeCommand.java:40 says "No incomplete runs to resume." whenever
     * resumeIncomplete() claimed nothing, although `runs list` shows the run as running: a run whose
     * process was just killed is still leased for up to 5 s (Workbench.LEASE_SECONDS), and the command
     * never says so (with an ID it does, RunsResumeCommand.java:71-74). Fix: when nothing was taken, list
     * runs with status RUNNING and report those whose lease is still valid ("run X is leased by worker W
     * until T; try again in N s").
     */
    @Test
    void runs_resume_reports_a_run_still_leased_by_a_killed_process_instead_of_saying_there_is_none() throws Exception {
        Process chat = Baton.start(dir, "chat", "--desk", "acme");
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> {
            try {
                chat.getInputStream().transferTo(seen);
            } catch (java.io.IOException e) {
                // the process died
            }
        });
        pump.start();
        chat.getOutputStream().write("let me talk to a human, please\n".getBytes(StandardCharsets.UTF_8));
        chat.getOutputStream().flush();
        try {
            await(() -> seen.toString(StandardCharsets.UTF_8).contains("operator> "));
        } finally {
            chat.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(Baton.run(dir, "", "runs", "list", "--status", "running").out()).contains("running");

        Instant before = Instant.now();
        Baton.Result r = Baton.run(dir, "", "runs", "resume");

        assertThat(Duration.between(before, Instant.now())).as("resume ran within the 5 s lease").isLessThan(Duration.ofSeconds(4));
        assertThat(r.out()).as("%s", r).doesNotContain("No incomplete runs to resume.");
    }

    /*
     * Cause: RunCommand (and ChatCommand) start a new run on a session without looking at the session's
     * runs (RunCommand.java:55, ChatCommand.java:64): a session whose last turn waits for approval takes the next message
     * as a new run beside it, so the history the agent sees lacks the pending call's outcome and the same
     * $450 refund gets requested and paused again; approving both refunds the invoice twice (and, the
     * backend being per process, both succeed). Fix: before starting a run on --session, look for runs of
     * that session with status PAUSED (runs(RunQuery.all().withSession(id).withStatuses(PAUSED))) and either
     * ask for those approvals first (chat) or refuse with the approve/reject commands (run).
     */
    @Test
    void a_session_whose_last_turn_waits_for_approval_does_not_start_a_second_run_behind_it() {
        Baton.Result paused = Baton.run(dir, "", "run", BIG_REFUND);
        assertThat(paused.out()).contains("Paused: 1 call waits for approval");

        Baton.Result next = Baton.run(dir, "", "run", "--session", paused.session(), "What is the status of invoice INV-9000?");

        Baton.Result runs = Baton.run(dir, "", "runs", "list", "--session", paused.session());
        assertThat(runs.out().lines().filter(l -> l.startsWith("run_")).count()).as("%s%n%s", next, runs).isEqualTo(1);
        assertThat(next.exit()).as("%s", next).isNotZero();
        assertThat(next.err().lines().toList()).as("%s", next).singleElement().asString()
                .startsWith("baton: ").contains("process_refund").contains("baton approvals approve " + paused.approvalId());
    }

    /** The chat side of the same fault: {@code chat --session} asks for the pending approval first, then reads on. */
    @Test
    void a_chat_continuing_a_session_that_waits_for_approval_asks_for_it_first() {
        Baton.Result paused = Baton.run(dir, "", "run", BIG_REFUND);
        assertThat(paused.out()).contains("Paused: 1 call waits for approval");

        Baton.Result chat = Baton.run(dir, "y\n/quit\n", "chat", "--session", paused.session());

        assertThat(chat.exit()).as("%s", chat).isZero();
        assertThat(chat.out()).as("%s", chat).contains("waits for 1 approval").contains("Approve process_refund")
                .contains("=> process_refund: {\"refund_id\"");
        Baton.Result runs = Baton.run(dir, "", "runs", "list", "--session", paused.session());
        assertThat(runs.out().lines().filter(l -> l.startsWith("run_")).toList()).as("%s", runs)
                .singleElement().asString().contains(" completed ");
    }

    private static void await(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting");
            }
            Thread.sleep(50);
        }
    }
}
