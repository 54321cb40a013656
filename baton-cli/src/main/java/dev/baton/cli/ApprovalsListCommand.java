package dev.baton.cli;

import dev.baton.durable.Approval;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code baton approvals list}: the calls waiting, oldest first. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the tool calls waiting for approval, oldest first.")
final class ApprovalsListCommand implements Callable<Integer> {
    @ParentCommand
    ApprovalsCommand parent;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N approvals (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        BatonCli root = parent.root;
        Terminal t = root.terminal();
        if (limit < 1) {
            throw new CliError("--limit must be at least 1, got " + limit);
        }
        try (Ledger wb = Ledger.open(root.settings())) {
            List<Approval> pending = wb.pendingApprovals(limit);
            if (pending.isEmpty()) {
                t.println("No approvals waiting.");
                return 0;
            }
            Tables table = new Tables("ID", "TOOL", "AGENT", "REQUESTED", "ARGUMENTS");
            for (Approval a : pending) {
                table.row(Turns.approvalId(a), a.tool(), a.agent(), Tables.time(a.requestedAt()), Approvals.arguments(a));
            }
            table.print(t);
            t.println("Decide with: " + Hint.command() + " approvals approve ID   or   " + Hint.command() + " approvals reject ID --message \"why\"");
            return 0;
        }
    }
}
