package dev.baton.cli;

import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code baton runs list}: the latest runs, filtered. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List runs, newest first.")
final class RunsListCommand implements Callable<Integer> {
    @ParentCommand
    RunsCommand parent;

    @Option(names = "--status", paramLabel = "STATUS", split = ",",
            description = "running, paused, completed, failed or cancelled (comma-separated for several)")
    List<String> statuses = List.of();

    @Option(names = "--desk", paramLabel = "DESK", description = "Runs of this desk.")
    @Nullable String desk;

    @Option(names = "--agent", paramLabel = "AGENT", description = "Runs that started with or are held by this agent.")
    @Nullable String agent;

    @Option(names = "--session", paramLabel = "ID", description = "Runs of this session.")
    @Nullable String session;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N runs (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        BatonCli root = parent.root;
        Workbench.checkDesk(desk);
        if (limit < 1) {
            throw new CliError("--limit must be at least 1, got " + limit);
        }
        RunStatus[] wanted = statuses.stream().map(RunsListCommand::status).toArray(RunStatus[]::new);
        try (Ledger wb = Ledger.open(root.settings())) {
            RunQuery query = RunQuery.all().withApplication(desk).withStatuses(wanted).withAgent(agent).withSession(session)
                    .withLimit(limit);
            List<RunRecord> runs = wb.runs(query);
            Terminal t = root.terminal();
            if (runs.isEmpty()) {
                t.println("No runs" + (wanted.length + (desk == null ? 0 : 1) + (agent == null ? 0 : 1) + (session == null ? 0 : 1) > 0
                        ? " match." : " yet. Start one with: " + Hint.command() + " run \"I was charged twice for INV-8821\""));
                return 0;
            }
            Tables table = new Tables("RUN", "STATUS", "DESK", "AGENT", "SESSION", "CREATED", "TOKENS");
            for (RunRecord r : runs) {
                table.row(r.id(), r.status().name().toLowerCase(Locale.ROOT), r.application(), r.currentAgent(),
                        r.sessionId() == null ? "-" : r.sessionId(), Tables.time(r.createdAt()), String.valueOf(r.usage().totalTokens()));
            }
            table.print(t);
            return 0;
        }
    }

    static RunStatus status(String s) {
        try {
            return RunStatus.valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliError("unknown status '" + s + "' (statuses: "
                    + String.join(", ", Arrays.stream(RunStatus.values()).map(v -> v.name().toLowerCase(Locale.ROOT)).toList()) + ")");
        }
    }
}
