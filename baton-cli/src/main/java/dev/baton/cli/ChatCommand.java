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
                "Type /quit, /exit, quit or exit (or end the input) to leave, /help for the commands; continue later with --session."})
final class ChatCommand implements Callable<Integer> {
    static final String QUIT = "/quit";
    static final String HELP = "/help";
    /** Lines that leave the chat rather than reach the desk (compared in lower case). */
    static final java.util.Set<String> LEAVE = java.util.Set.of(QUIT, "/exit", "quit", "exit");
    static final String HELP_TEXT = """
            Each line you type goes to the agent holding the conversation, as the customer.
              /help               this list
              /quit, /exit        leave (also: quit, exit, or the end of the input); the session is kept
            Other lines starting with / are commands too: an unknown one is said so, and nothing is sent.""".stripIndent().strip();

    @ParentCommand
    BatonCli root;

    @Option(names = "--desk", paramLabel = "DESK", description = "support, acme or rma (default: the session's desk, else support)")
    @Nullable String desk;

    @Option(names = "--session", paramLabel = "ID", description = "Continue this session, with the agent that held it.")
    @Nullable String session;

    @Option(names = "--runtime", paramLabel = "RUNTIME", description = {
            "Run the desk's agents on the publish/subscribe runtime (seed 001's handoff pattern):",
            "inprocess (here), or kafka (on workers started with baton worker)."})
    @Nullable String runtime;

    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "With --runtime kafka: the broker (default: BATON_KAFKA, else " + KafkaOptions.DEFAULT + ")")
    @Nullable String kafka;

    @Override
    public Integer call() {
        Terminal t = root.terminal();
        Workbench.checkSessionId(session);
        String deskName = Workbench.deskFor(desk, session);
        if (runtime != null) {
            return switch (runtime) {
                case RuntimeChat.IN_PROCESS -> RuntimeChat.inProcess(t, root.settings(), deskName, session);
                case RuntimeChat.KAFKA -> RuntimeChat.onKafka(t, root.settings(), deskName, session, KafkaOptions.bootstrap(kafka, t.env()));
                default -> throw new CliError("unknown runtime '" + runtime + "': use " + RuntimeChat.IN_PROCESS + " or " + RuntimeChat.KAFKA);
            };
        }
        // Runs this chat may take over: those of the session it continues that were left running
        // (stopped at the operator's question), so the conversation goes on where it stopped.
        try (Workbench wb = Workbench.open(root.settings(), Operators.console(t), r -> session != null && session.equals(r.sessionId()))) {
            Desk<?> d = wb.desk(deskName);
            boolean known = session != null && wb.sessionExists(session);
            String id = session != null ? session : Workbench.newSessionId(deskName);
            t.println(BatonCli.banner(deskName, wb));
            if (!known) {
                t.println("New session " + id + " · " + d.title() + " · talking to " + d.entry().name());
            } else {
                t.println("Continuing session " + id + " with " + wb.activeAgent(id).orElse(d.entry().name()));
            }
            t.println("Type a message; " + QUIT + " or end of input leaves, " + HELP + " lists the commands.");
            wb.onInterrupt(() -> wb.sessionExists(id) ? "Session " + id + " is saved · continue with: " + Hint.command() + " chat --session "
                    + id + Approvals.dbOption(root.db()) : null);
            EventPrinter printer = new EventPrinter(t, root.verbose());
            wb.display(printer);
            Integer code = known ? settleEarlierTurns(t, wb, printer, id) : null;
            if (code == null) {
                code = converse(t, wb, d, id);
            }
            if (wb.sessionExists(id)) {
                t.println("Session " + id + " is saved · continue with: " + Hint.command() + " chat --session " + id + Approvals.dbOption(root.db()));
            }
            return code;
        }
    }

    /**
     * Before a continued session takes a new message, its earlier turns are settled here: runs
     * left running (the operator left the human agent's question) are resumed, and the calls
     * paused runs wait for are decided. A new run beside them would not see their outcome.
     *
     * @return null to go on chatting; an exit code if the chat ends here (the input ended at a question)
     */
    private @Nullable Integer settleEarlierTurns(Terminal t, Workbench wb, EventPrinter printer, String id) {
        for (RunHandle run : wb.resumeIncomplete()) {
            t.println("Run " + run.id() + " of this session was left running; continuing it:");
            Integer code = outcome(t, wb, run, Turns.drive(wb, run, Approvals.console(t, wb)));
            if (code != null) {
                return code;
            }
        }
        for (RunRecord paused : wb.pausedRuns(id)) {
            RunHandle run = wb.attach(paused.id());
            int waiting = Turns.pending(run).size();
            if (waiting == 0) {
                continue;
            }
            t.println("Run " + run.id() + " of this session waits for " + (waiting == 1 ? "1 approval" : waiting + " approvals")
                    + "; decide first:");
            printer.knowing(run.history().runEvents());
            Integer code = outcome(t, wb, run, Turns.drive(wb, run, Approvals.console(t, wb)));
            if (code != null) {
                return code;
            }
        }
        return null;
    }

    private int converse(Terminal t, Workbench wb, Desk<?> d, String id) {
        while (true) {
            String line = t.prompt("you> ");
            if (line == null || LEAVE.contains(line.strip().toLowerCase(java.util.Locale.ROOT))) {
                return 0;
            }
            if (line.isBlank()) {
                continue;
            }
            String typed = line.strip();
            if (typed.equals(HELP)) {
                t.println(HELP_TEXT);
                continue;
            }
            if (typed.matches("/\\w+(\\s.*)?")) {
                t.println("Unknown command " + typed.split("\\s", 2)[0] + "; " + HELP + " lists the commands (nothing was sent).");
                continue;
            }
            RunHandle run = wb.start(d, id, line.strip());
            Integer code = outcome(t, wb, run, Turns.drive(wb, run, Approvals.console(t, wb)));
            if (code != null) {
                return code;
            }
        }
    }

    /** After a turn: null to read the next message, or the chat's exit code if it ends here. */
    private @Nullable Integer outcome(Terminal t, Workbench wb, RunHandle run, RunRecord done) {
        if (done.status() == RunStatus.PAUSED) {
            Approvals.printPending(t, wb, Turns.pending(run), root.db(), false);
            return 0;
        }
        if (done.status() == RunStatus.RUNNING) {
            // Stopped here without ending: the operator left the human agent's question (the input ended).
            t.println(Turns.stoppedLine(wb, done, root.db()));
            return 0;
        }
        if (done.status() != RunStatus.COMPLETED) {
            Optional<Throwable> failure = wb.failure(done.id());
            if (!Turns.stoppedByGuardrail(done, failure)) {
                t.error("baton: " + Turns.failureLine(done, failure));
                return CliError.FAILED;
            }
        }
        return null;
    }
}
