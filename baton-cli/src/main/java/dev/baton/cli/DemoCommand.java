package dev.baton.cli;

import dev.baton.cli.desk.Desk;
import dev.baton.cli.desk.Desks;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code baton demo}: every desk's walkthrough, printed step by step, on a temporary database.
 * Approvals are granted and the human agent is answered from a script, so it runs unattended.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Walk through the desks unattended: handoffs, tool calls, a guardrail trip, an approval, an escalation.",
                "Uses a temporary database and the offline model (unless --model names one and OPENAI_API_KEY is set)."})
final class DemoCommand implements Callable<Integer> {
    /** What the demo's human operator says when the acme desk escalates to a person. */
    static final List<String> OPERATOR_ANSWERS = List.of(
            "Hello, this is Sam, the manager at ACME. I've read the conversation: the refund for your shoes is on its way."
                    + " Anything else I can do for you?",
            "Thank you, that's kind of you. Have a good day!");

    @ParentCommand
    BatonCli root;

    @Option(names = "--desk", paramLabel = "DESK", description = "Show one desk only: support, acme or rma.")
    @Nullable String desk;

    @Override
    public Integer call() {
        Terminal t = root.terminal();
        Workbench.checkDesk(desk);
        Path dir = temporaryDirectory();
        try {
            Workbench.Settings settings = new Workbench.Settings(t, null, root.model(), true, dir, root.verbose(), false);
            try (Workbench wb = Workbench.open(settings, Operators.scripted(t, OPERATOR_ANSWERS))) {
                t.println(BatonCli.banner(null, wb));
                wb.display(new EventPrinter(t, root.verbose()));
                List<String> names = desk == null ? Desks.names() : List.of(desk);
                int steps = 0;
                for (String name : names) {
                    steps += show(t, wb, wb.desk(name));
                }
                t.println("");
                t.println("Demo done: " + names.size() + (names.size() == 1 ? " desk, " : " desks, ") + steps
                        + " steps. Try it yourself: " + Hint.command() + " chat --desk " + (desk == null ? "support" : desk));
                return 0;
            }
        } finally {
            delete(dir);
        }
    }

    private int show(Terminal t, Workbench wb, Desk<?> d) {
        t.println("");
        t.println("=== desk " + d.name() + " · " + d.title() + " ===");
        List<Desk.DemoStep> steps = d.demo();
        for (int i = 0; i < steps.size(); i++) {
            Desk.DemoStep step = steps.get(i);
            t.println("");
            t.println("--- " + d.name() + " " + (i + 1) + "/" + steps.size() + " · " + step.shows());
            t.println("customer> " + step.message());
            String session = step.session().startsWith(d.name() + "-") ? step.session() : d.name() + "-" + step.session();
            RunRecord done = Turns.drive(wb, wb.start(d, session, step.message()), Approvals.scripted(t, wb));
            if (done.status() != RunStatus.COMPLETED) {
                Optional<Throwable> failure = wb.failure(done.id());
                if (!Turns.stoppedByGuardrail(done, failure)) {
                    throw new CliError("demo step '" + step.shows() + "' of desk " + d.name() + " did not complete: "
                            + Turns.failureLine(done, failure), CliError.FAILED, failure.orElse(null));
                }
            }
        }
        return steps.size();
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("baton-demo-");
        } catch (IOException e) {
            throw new CliError("cannot create a temporary directory for the demo: " + e.getMessage(), CliError.FAILED, e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // A temporary directory left behind is harmless; the system cleans it up.
        }
    }
}
