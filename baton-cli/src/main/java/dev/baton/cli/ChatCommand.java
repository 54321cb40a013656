package dev.baton.cli;

import dev.baton.cli.desk.Desk;
import dev.baton.durable.RunHandle;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code baton chat}: a conversation with a desk, one line at a time, kept in a session. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Talk to a desk: each message goes to the agent holding the conversation, which may hand it on,",
                "call tools, ask you to approve a call, or escalate to you as the human agent.",
                "Type /quit (or end the input) to leave; continue later with --session."})
final class ChatCommand implements Callable<Integer> {
    static final String QUIT = "/quit";

    @ParentCommand
    BatonCli root;

    @Option(names = "--desk", paramLabel = "DESK", description = "support, acme or rma (default: the session's desk, else support)")
    @Nullable String desk;

    @Option(names = "--session", paramLabel = "ID", description = "Continue this session, with the agent that held it.")
    @Nullable String session;

    @Override
    public Integer call() {
        Terminal t = root.terminal();
        String deskName = Workbench.deskFor(desk, session);
        try (Workbench wb = Workbench.open(root.settings(), Operators.console(t))) {
            Desk<?> d = wb.desk(deskName);
            if (session != null && !wb.sessionExists(session)) {
                throw new CliError("unknown session '" + session + "' in " + wb.storeLabel() + " (leave out --session to start one)");
            }
            String id = session != null ? session : Workbench.newSessionId(deskName);
            t.println(BatonCli.banner(deskName, wb));
            if (session == null) {
                t.println("New session " + id + " · " + d.title() + " · talking to " + d.entry().name());
            } else {
                t.println("Continuing session " + id + " with " + wb.activeAgent(id).orElse(d.entry().name()));
            }
            t.println("Type a message; " + QUIT + " or end of input leaves.");
            wb.display(new EventPrinter(t, root.verbose()));
            int code = converse(t, wb, d, id);
            t.println("Session " + id + " is saved · continue with: baton chat --session " + id + Approvals.dbOption(root.db()));
            return code;
        }
    }

    private int converse(Terminal t, Workbench wb, Desk<?> d, String id) {
        while (true) {
            String line = t.prompt("you> ");
            if (line == null || line.strip().equals(QUIT)) {
                return 0;
            }
            if (line.isBlank()) {
                continue;
            }
            RunHandle run = wb.start(d, id, line.strip());
            RunRecord done = Turns.drive(run, Approvals.console(t));
            if (done.status() == RunStatus.PAUSED) {
                Approvals.printPending(t, Turns.pending(run), root.db(), false);
                return 0;
            }
            if (done.status() != RunStatus.COMPLETED) {
                Optional<Throwable> failure = wb.failure(done.id());
                if (!Turns.stoppedByGuardrail(done, failure)) {
                    t.error("baton: " + Turns.failureLine(done, failure));
                    return CliError.FAILED;
                }
            }
        }
    }

}
