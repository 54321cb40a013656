package dev.baton.cli;

import dev.baton.BatonException;
import dev.baton.jdbc.StoreException;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code baton} command: chat with a support desk of agents, run single turns, inspect and
 * resume durable runs, decide approvals, and watch the demo. Runs are kept in
 * {@code .baton/baton.db} under the working directory (or the database {@code --db} names), and
 * use the built-in offline model unless {@code OPENAI_API_KEY} or {@code OPENAI_BASE_URL} is set.
 */
@Command(name = "baton", mixinStandardHelpOptions = true, version = "baton 0.1.0",
        description = "Multi-agent support desks that hand a customer from triage to the right specialist.",
        footer = {"", "Try: ./baton demo   ·   ./baton serve   ·   ./baton chat   ·   ./baton run \"I was charged twice for INV-8821\""})
public final class BatonCli implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;


    @Option(names = "--model", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "'offline' (the default without OPENAI_API_KEY / OPENAI_BASE_URL) or a model name, e.g. gpt-4.1-mini")
    @Nullable String model;

    @Option(names = "--db", scope = ScopeType.INHERIT, paramLabel = "DB",
            description = "SQLite file or JDBC URL (jdbc:postgresql://host/db?user=..&password=..); default .baton/baton.db")
    @Nullable String db;

    @Option(names = "--create-db", scope = ScopeType.INHERIT,
            description = "Create the SQLite file --db names if it does not exist (without it, a missing file is an error).")
    boolean createDb;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Show turns, token counts and stack traces.")
    boolean verbose;

    /**
     * The subcommands, in the order help lists them. They are added when a command line is run
     * rather than declared on the annotation, so that only the one the arguments name is built:
     * picocli builds a command's model by reflection, and every command would pay for all of them.
     */
    static final List<Class<?>> SUBCOMMANDS =
            List.of(ChatCommand.class, RunCommand.class, RunsCommand.class, ApprovalsCommand.class, DemoCommand.class,
                    ServeCommand.class, WorkerCommand.class, McpCommand.class);

    private final Terminal terminal;

    BatonCli(Terminal terminal) {
        this.terminal = terminal;
    }

    /** Runs the command with the process's console, environment and working directory, and exits with its code. */
    public static void main(String[] args) {
        Logging.configure(java.util.Arrays.asList(args));
        // Gated, so that once Ctrl-C stops the command only the line saying so is printed.
        java.io.PrintStream out = new java.io.PrintStream(new Gate(new java.io.FileOutputStream(java.io.FileDescriptor.out)), true,
                StandardCharsets.UTF_8);
        java.io.PrintStream err = new java.io.PrintStream(new Gate(new java.io.FileOutputStream(java.io.FileDescriptor.err)), true,
                StandardCharsets.UTF_8);
        System.setOut(out);
        System.setErr(err);
        Terminal terminal = new Terminal(
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                writer(out), writer(err), System.getenv(), Path.of("").toAbsolutePath(), !interactive());
        System.exit(execute(terminal, args));
    }

    /** Runs the command on the given streams and returns its exit code (the tests' way in). */
    static int run(String[] args, InputStream in, OutputStream out, OutputStream err, Map<String, String> env, Path workDir) {
        Logging.configure(java.util.Arrays.asList(args));
        Terminal terminal = new Terminal(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), writer(out), writer(err),
                env, workDir, true);
        return execute(terminal, args);
    }

    static int execute(Terminal terminal, String... args) {
        Hint.configure(terminal);
        BatonCli root = new BatonCli(terminal);
        CommandLine cli = new CommandLine(root);
        for (Class<?> subcommand : subcommands(args)) {
            cli.addSubcommand(subcommand);
        }
        cli.setOut(terminal.out());
        cli.setErr(terminal.err());
        cli.setParameterExceptionHandler((ex, ignored) -> {
            String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            terminal.error("baton: " + Text.message(ex) + " (see '" + command + " --help')");
            return CliError.USAGE;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            terminal.error("baton: " + describe(ex));
            if (root.verbose) {
                ex.printStackTrace(terminal.err());
                terminal.err().flush();
            }
            return ex instanceof CliError c ? c.exitCode() : CliError.FAILED;
        });
        int code;
        try {
            code = cli.execute(args);
        } catch (Error e) {
            // A broken installation (a class missing from the jar) or the JVM running out of memory.
            terminal.error("baton: internal error: " + e.getClass().getSimpleName() + ": " + Text.message(e)
                    + (root.verbose ? "" : " (--verbose shows the stack trace)"));
            if (root.verbose) {
                e.printStackTrace(terminal.err());
            }
            code = CliError.FAILED;
        }
        terminal.out().flush();
        terminal.err().flush();
        return code;
    }

    /**
     * The subcommands to build for {@code args}: the one named by the first argument that is not
     * an option of {@code baton} itself (nor the value of {@code --model} or {@code --db}); all of
     * them when no argument names one, for the help that lists them and the message that suggests
     * one for a mistyped name.
     */
    static List<Class<?>> subcommands(String... args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--model") || arg.equals("--db")) {
                i++;
            } else if (!arg.startsWith("-")) {
                for (Class<?> subcommand : SUBCOMMANDS) {
                    if (subcommand.getAnnotation(Command.class).name().equals(arg)) {
                        return List.of(subcommand);
                    }
                }
                return SUBCOMMANDS;
            }
        }
        return SUBCOMMANDS;
    }

    /** One line saying what went wrong, without the exception's class where its message says enough. */
    static String describe(Throwable e) {
        if (e instanceof CliError || e instanceof BatonException || e instanceof StoreException) {
            return Text.message(e);
        }
        if (e instanceof java.io.UncheckedIOException) {
            return Text.message(e);
        }
        return e.getClass().getSimpleName() + ": " + Text.message(e);
    }

    @Override
    public void run() {
        spec.commandLine().usage(terminal.out());
    }

    Terminal terminal() {
        return terminal;
    }

    boolean verbose() {
        return verbose;
    }

    /** How commands open their workbench: this command line's database and model. */
    Workbench.Settings settings() {
        return new Workbench.Settings(terminal, db, model, false, null, verbose, createDb);
    }

    /** The {@code --db} value to repeat in commands printed for the user, or null for the default. */
    @Nullable String db() {
        return db;
    }

    @Nullable String model() {
        return model;
    }

    /** The banner: {@code Baton · desk support · model offline (no OPENAI_API_KEY) · store .baton/baton.db}. */
    static String banner(@Nullable String desk, Workbench wb) {
        return "Baton" + (desk == null ? "" : " · desk " + desk) + " · model " + wb.modelLabel() + " · store " + wb.storeLabel();
    }

    private static PrintWriter writer(OutputStream out) {
        return new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    }

    /** Whether a person types the input (so it need not be echoed). */
    private static boolean interactive() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // JDK 22+ returns a console even for redirected streams and says so here.
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
