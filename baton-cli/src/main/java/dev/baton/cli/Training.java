package dev.baton.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The launcher's training run for its class-data archive: the commands a person types most, one
 * after the other in one JVM, on a scratch database, so that the archive holds the classes each of
 * them loads. Each {@code baton} command builds only the subcommand it names, so a single command
 * would leave the others' classes out. Offline: the OpenAI variables are ignored.
 *
 * <p>{@code java -XX:AOTCacheOutput=... -cp baton.jar dev.baton.cli.Training <scratch directory>};
 * exits 0 if every command did, 1 otherwise, printing each command's output.
 */
final class Training {
    /** The commands, on the database {@code train.db} in the scratch directory. */
    static final List<List<String>> COMMANDS = List.of(
            List.of("--help"),
            List.of("--version"),
            List.of("run", "I was charged twice for INV-8821", "--desk", "support"),
            List.of("runs", "list"),
            List.of("runs", "list", "--status", "completed", "--limit", "5"),
            List.of("approvals", "list"),
            List.of("runs", "--help"));

    private Training() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: Training <scratch directory>");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]).toAbsolutePath());
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("OPENAI_API_KEY");
        env.remove("OPENAI_BASE_URL");
        PrintStream log = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        int failed = 0;
        for (List<String> command : COMMANDS) {
            List<String> argv = new java.util.ArrayList<>(command);
            argv.addAll(List.of("--db", dir.resolve("train.db").toString(), "--create-db", "--model", "offline"));
            if (command.contains("--help") || command.contains("--version")) {
                argv = command;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = BatonCli.run(argv.toArray(String[]::new), new ByteArrayInputStream(new byte[0]), out, out, env, dir);
            log.println("$ baton " + String.join(" ", argv) + "  (exit " + exit + ")");
            log.print(out.toString(StandardCharsets.UTF_8));
            if (exit != 0) {
                failed++;
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
