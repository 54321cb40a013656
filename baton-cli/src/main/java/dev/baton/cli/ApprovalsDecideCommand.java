package dev.baton.cli;

import dev.baton.UserError;
import dev.baton.durable.Approval;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code baton approvals approve|reject ID}: decides one call; once the run has every decision it
 * waits for, it continues in this process and its outcome is printed.
 */
abstract class ApprovalsDecideCommand {
    @ParentCommand
    ApprovalsCommand parent;

    @Parameters(index = "0", paramLabel = "ID", description = "The approval: <run id>/<call id> (see: ./baton approvals list).")
    String approvalId;

    abstract boolean approves();

    abstract @Nullable String message();

    int decide() {
        BatonCli root = parent.root;
        Terminal t = root.terminal();
        int slash = approvalId.indexOf('/');
        if (slash <= 0 || slash == approvalId.length() - 1) {
            throw new CliError("an approval id looks like <run id>/<call id>, got '" + approvalId + "' (see: " + Hint.command() + " approvals list)");
        }
        String runId = approvalId.substring(0, slash);
        String callId = approvalId.substring(slash + 1);
        try (Workbench wb = Workbench.open(root.settings(), Operators.console(t))) {
            RunHandle run = wb.attach(runId);
            Approval approval = run.approvals().stream().filter(a -> a.callId().equals(callId)).findFirst()
                    .orElseThrow(() -> new CliError("unknown approval '" + approvalId + "' (see: " + Hint.command() + " approvals list)"));
            if (approval.status() != Approval.Status.PENDING) {
                throw new CliError("approval " + approvalId + " was already " + approval.status().name().toLowerCase(Locale.ROOT)
                        + " at " + Tables.time(approval.decidedAt()));
            }
            t.println(BatonCli.banner(run.record().application(), wb));
            t.println((approves() ? "Approved " : "Rejected ") + Approvals.call(approval, wb.explain(approval))
                    + " of run " + runId + (message() == null ? "" : " · message: " + message()));
            wb.display(new EventPrinter(t, root.verbose()).knowing(run.history().runEvents()));
            try {
                if (approves()) {
                    run.approve(callId);
                } else {
                    run.reject(callId, message());
                }
            } catch (UserError e) {
                throw new CliError(Text.message(e));
            }
            RunRecord done = Turns.drive(wb, run, Turns.Approver.none());
            if (done.status() == RunStatus.PAUSED) {
                Approvals.printPending(t, wb, Turns.pending(run), root.db(), false);
                return 0;
            }
            if (done.status() == RunStatus.RUNNING) {
                t.println(Turns.stoppedLine(wb, done, root.db()));
                return 0;
            }
            t.println(RunsResumeCommand.line(done));
            if (done.status() != RunStatus.COMPLETED) {
                Optional<Throwable> failure = wb.failure(done.id());
                if (!Turns.stoppedByGuardrail(done, failure)) {
                    throw new CliError(Turns.failureLine(done, failure), CliError.FAILED, failure.orElse(null));
                }
            }
            return 0;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve a tool call; its run continues here.")
    static final class Approve extends ApprovalsDecideCommand implements java.util.concurrent.Callable<Integer> {
        @Override
        boolean approves() {
            return true;
        }

        @Override
        @Nullable String message() {
            return null;
        }

        @Override
        public Integer call() {
            return decide();
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true,
            description = "Reject a tool call; the model reads your message instead of the tool's output, and the run continues here.")
    static final class Reject extends ApprovalsDecideCommand implements java.util.concurrent.Callable<Integer> {
        @Option(names = "--message", paramLabel = "TEXT", description = "Why, for the agent to tell the customer.")
        @Nullable String message;

        @Override
        boolean approves() {
            return false;
        }

        @Override
        @Nullable String message() {
            return message == null || message.isBlank() ? null : message.strip();
        }

        @Override
        public Integer call() {
            return decide();
        }
    }
}
