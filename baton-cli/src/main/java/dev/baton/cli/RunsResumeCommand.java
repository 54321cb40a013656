package dev.baton.cli;

import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.durable.RunQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code baton runs resume [ID]}: continues runs a dead process left running (and paused runs
 * whose decisions were recorded but never acted on). Recorded model answers and tool results are
 * replayed from the journal, not asked for again.
 */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = {"Continue a run left running by a process that stopped, or every such run.",
                "Recorded model answers and tool results are replayed, not requested again."})
final class RunsResumeCommand implements Callable<Integer> {
    @ParentCommand
    RunsCommand parent;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "The run to resume; all incomplete runs without it.")
    @Nullable String runId;

    @Override
    public Integer call() {
        BatonCli root = parent.root;
        Terminal t = root.terminal();
        try (Workbench wb = Workbench.open(root.settings(), Operators.console(t), r -> runId == null || r.id().equals(runId))) {
            if (runId != null && !resumable(t, wb.attach(runId).record(), root)) {
                return 0;
            }
            List<RunHandle> taken = wb.resumeIncomplete();
            if (taken.isEmpty()) {
                if (runId == null) {
                    reportNotTaken(t, wb, root.db());
                } else {
                    t.println("Run " + runId + " was taken by another process meanwhile.");
                }
                return 0;
            }
            t.println("Resuming " + taken.size() + (taken.size() == 1 ? " run" : " runs") + "...");
            int failed = 0;
            for (RunHandle h : taken) {
                try {
                    RunRecord r = wb.result(h);
                    t.println(r.status() == RunStatus.RUNNING ? Turns.stoppedLine(wb, r, root.db()) : line(r));
                    if (r.status() == RunStatus.FAILED && !Turns.stoppedByGuardrail(r, wb.failure(r.id()))) {
                        failed++;
                    }
                } catch (RuntimeException e) {
                    t.error("baton: run " + h.id() + ": " + BatonCli.describe(e));
                    failed++;
                }
            }
            return failed == 0 ? 0 : CliError.FAILED;
        }
    }

    /**
     * Nothing was taken: says so, or names the runs left running that could not be taken yet
     * (still leased, by a process that may have died: its lease runs out within
     * {@value Workbench#LEASE_SECONDS} s) or at all (no desk here can continue them).
     */
    private static void reportNotTaken(Terminal t, Workbench wb, @Nullable String db) {
        List<RunRecord> running = wb.runs(RunQuery.all().withStatuses(RunStatus.RUNNING).withLimit(1000));
        if (running.isEmpty()) {
            t.println("No incomplete runs to resume.");
            return;
        }
        Instant now = Instant.now();
        for (RunRecord r : running) {
            if (r.owner() != null && r.leaseUntil() != null && r.leaseUntil().isAfter(now)) {
                long seconds = Math.max(1, (Duration.between(now, r.leaseUntil()).toMillis() + 999) / 1000);
                t.println("Run " + r.id() + " is still leased by worker " + r.owner() + " (a process that may have stopped) until "
                        + Tables.time(r.leaseUntil()) + "; try again in " + seconds + " s: " + Hint.command() + " runs resume " + r.id() + Approvals.dbOption(db));
            } else {
                t.println("Run " + r.id() + " is left running but was not taken (desk " + r.application()
                        + "): see " + Hint.command() + " runs show " + r.id() + Approvals.dbOption(db));
            }
        }
    }

    /** Whether the run can be taken over now; says why not otherwise. */
    private static boolean resumable(Terminal t, RunRecord r, BatonCli root) {
        if (r.status().isTerminal()) {
            t.println("Run " + r.id() + " has already ended: " + line(r));
            return false;
        }
        if (r.status() == RunStatus.PAUSED) {
            t.println("Run " + r.id() + " waits for approval; decide it with '" + Hint.command() + " approvals list' and '" + Hint.command() + " approvals approve|reject'.");
            return false;
        }
        if (r.owner() != null && r.leaseUntil() != null && r.leaseUntil().isAfter(Instant.now())) {
            throw new CliError("run " + r.id() + " is being executed by worker " + r.owner() + " (lease until "
                    + Tables.time(r.leaseUntil()) + "); try again once it stops", CliError.FAILED, null);
        }
        return true;
    }

    static String line(RunRecord r) {
        String what = switch (r.status()) {
            case COMPLETED -> "[" + r.currentAgent() + "] " + Text.oneLine(Text.display(Text.tree(r.finalOutput())), 300);
            case PAUSED -> "waits for approval (" + Hint.command() + " approvals list)";
            case FAILED, CANCELLED -> Text.oneLine(r.error(), 300);
            case RUNNING -> "still running (" + Hint.command() + " runs resume " + r.id() + ")";
        };
        return r.id() + " " + r.status().name().toLowerCase(Locale.ROOT) + " · " + what;
    }
}
