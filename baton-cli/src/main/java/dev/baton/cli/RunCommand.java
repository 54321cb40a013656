package dev.baton.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.cli.desk.Desk;
import dev.baton.durable.Approval;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code baton run "<message>"}: one turn of a desk's conversation. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Send one message to a desk and print the reply (or, with --json, the run's events).",
                "A run that pauses for approval is left waiting: decide it with './baton approvals'."})
final class RunCommand implements Callable<Integer> {

    @ParentCommand
    BatonCli root;

    @Parameters(index = "0", paramLabel = "MESSAGE", description = "What the customer writes; - reads it from standard input.")
    String message;

    @Option(names = "--desk", paramLabel = "DESK", description = "support, acme or rma (default: the session's desk, else support)")
    @Nullable String desk;

    @Option(names = "--session", paramLabel = "ID", description = "Continue this session, with the agent that held it.")
    @Nullable String session;

    @Option(names = "--json", description = "Print the run's events as JSON lines, one per event.")
    boolean json;

    @Override
    public Integer call() {
        Terminal t = root.terminal();
        if (message.equals("-")) {
            message = t.readAll();
        }
        if (message.isBlank()) {
            throw new CliError("the message is empty");
        }
        Workbench.checkSessionId(session);
        String deskName = Workbench.deskFor(desk, session);
        // Under --json the operator's question and answer (the acme human agent) go to standard error.
        try (Workbench wb = Workbench.open(root.settings(), Operators.console(json ? t.withOutOnErr() : t))) {
            Desk<?> d = wb.desk(deskName);
            if (session != null && wb.sessionExists(session)) {
                refuseIfWaiting(wb, session);
            }
            String id = session != null ? session : Workbench.newSessionId(deskName);
            say(t, BatonCli.banner(deskName, wb));
            if (!json) {
                wb.display(new EventPrinter(t, root.verbose()));
            }
            RunHandle run = wb.start(d, id, message.strip());
            RunRecord done = Turns.drive(wb, run, Turns.Approver.none());
            if (json) {
                for (RecordedEvent e : run.history().events()) {
                    t.println(jsonLine(e));
                }
            }
            if (done.status() == RunStatus.PAUSED) {
                Approvals.printPending(t, wb, Turns.pending(run), root.db(), json);
            }
            if (done.status() == RunStatus.RUNNING) {
                say(t, Turns.stoppedLine(wb, done, root.db()));
            }
            String when = switch (done.status()) {
                case PAUSED -> "once decided, ";
                case RUNNING -> "once resumed, ";
                default -> "";
            };
            say(t, "run " + run.id() + " · " + done.status().name().toLowerCase(java.util.Locale.ROOT) + " · session " + id
                    + " · " + when + "continue with: " + Hint.command() + " run --session " + id + " \"...\"" + Approvals.dbOption(root.db()));
            if (done.status() == RunStatus.FAILED || done.status() == RunStatus.CANCELLED) {
                Optional<Throwable> failure = wb.failure(done.id());
                if (!Turns.stoppedByGuardrail(done, failure)) {
                    throw new CliError(Turns.failureLine(done, failure), CliError.FAILED, failure.orElse(null));
                }
            }
            return 0;
        }
    }

    /**
     * A session whose last turn waits for approval takes no new message: the new run would not see
     * the pending call's outcome (and would likely ask for the same call again).
     *
     * @throws CliError naming the pending calls and the commands that decide them
     */
    private void refuseIfWaiting(Workbench wb, String session) {
        List<String> waiting = new ArrayList<>();
        for (Approval a : wb.waitingCalls(session)) {
            String id = Turns.approvalId(a);
            waiting.add(Approvals.call(a, wb.explain(a)) + " [decide with: " + Hint.command() + " approvals approve " + id + Approvals.dbOption(root.db())
                    + "  or  " + Hint.command() + " approvals reject " + id + " --message \"...\"" + Approvals.dbOption(root.db()) + "]");
        }
        if (!waiting.isEmpty()) {
            throw new CliError("session " + session + " waits for approval of " + String.join("; ", waiting)
                    + "; decide first, then send the message again (or answer in: " + Hint.command() + " chat --session " + session
                    + Approvals.dbOption(root.db()) + ")");
        }
    }

    /** Commentary goes to the error stream under --json, so the output stays JSON lines. */
    private void say(Terminal t, String line) {
        if (json) {
            t.error(line);
        } else {
            t.println(line);
        }
    }

    /** A recorded event as one JSON object: run id, sequence number, type, agent, time and the event's data. */
    static String jsonLine(RecordedEvent e) {
        ObjectNode node = Text.JSON.createObjectNode();
        node.put("run_id", e.runId());
        node.put("seq", e.seq());
        node.put("type", e.type());
        node.put("agent", e.agent());
        node.put("at", e.at().toString());
        node.set("data", Text.tree(e.data()));
        return node.toString();
    }
}
