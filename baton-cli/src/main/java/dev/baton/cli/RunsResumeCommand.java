package dev.baton.cli;

import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
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
                t.println(runId == null ? "No incomplete runs to resume." : "Run " + runId + " was taken by another process meanwhile.");
                return 0;
            }
            t.println("Resuming " + taken.size() + (taken.size() == 1 ? " run" : " runs") + "...");
            int failed = 0;
            for (RunHandle h : taken) {
                try {
                    RunRecord r = h.result();
                    t.println(line(r));
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

    /** Whether the run can be taken over now; says why not otherwise. */
    private static boolean resumable(Terminal t, RunRecord r, BatonCli root) {
        if (r.status().isTerminal()) {
            t.println("Run " + r.id() + " has already ended: " + line(r));
            return false;
        }
        if (r.status() == RunStatus.PAUSED) {
            t.println("Run " + r.id() + " waits for approval; decide it with 'baton approvals list' and 'baton approvals approve|reject'.");
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
            case PAUSED -> "waits for approval (baton approvals list)";
            case FAILED, CANCELLED -> Text.oneLine(r.error(), 300);
            case RUNNING -> "still running";
        };
        return r.id() + " " + r.status().name().toLowerCase(Locale.ROOT) + " · " + what;
    }
}
