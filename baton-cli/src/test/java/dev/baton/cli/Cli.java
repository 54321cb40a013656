package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the {@code baton} command in this JVM with scripted input, or in a child JVM, and captures what it prints. */
final class Cli {
    private static final Pattern APPROVAL = Pattern.compile("baton approvals approve (\\S+)");

    private Cli() {}

    /** What a command did: its exit code and what it wrote. */
    record Result(int exit, String out, String err) {
        /** The session id a chat or run started. */
        String session() {
            Matcher m = Pattern.compile("(?:New session|session) ((?:support|acme|rma)-[0-9a-f]{8})").matcher(out + err);
            assertThat(m.find()).as("a session id in:%n%s", this).isTrue();
            return m.group(1);
        }

        /** The first approval id the output tells the user to approve. */
        String approvalId() {
            Matcher m = APPROVAL.matcher(out + err);
            assertThat(m.find()).as("an approval command in:%n%s", this).isTrue();
            return m.group(1);
        }

        /** Exactly one line on the error stream, no stack trace, a non-zero exit. */
        Result failsWithOneLine(String containing) {
            assertThat(exit).as("exit code of%n%s", this).isNotZero();
            assertThat(err.lines().filter(l -> !l.isBlank()).toList()).as("error lines of%n%s", this).hasSize(1);
            assertThat(err).as("stderr").startsWith("baton: ").contains(containing).doesNotContain("\tat ").doesNotContain("Exception in");
            return this;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    /** No API key or endpoint: the offline model. */
    static Map<String, String> offlineEnv() {
        return Map.of();
    }

    /** Runs {@code baton args} in this JVM, in {@code workDir}, reading {@code stdin}. */
    static Result inProcess(Path workDir, String stdin, String... args) {
        return inProcess(workDir, offlineEnv(), stdin, args);
    }

    static Result inProcess(Path workDir, Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BatonCli.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err, env, workDir);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Runs {@code baton args} in a new JVM ({@code java -cp <test class path> dev.baton.cli.BatonCli}),
     * in {@code workDir}, with no OpenAI variables in its environment.
     */
    static Result childJvm(Path workDir, String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), BatonCli.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> env = new HashMap<>(pb.environment());
        env.keySet().removeIf(k -> k.startsWith("OPENAI_") || k.startsWith("BATON_"));
        pb.environment().clear();
        pb.environment().putAll(env);
        Path outFile = Files.createTempFile(workDir, "out", ".txt");
        Path errFile = Files.createTempFile(workDir, "err", ".txt");
        pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
        Process p = pb.start();
        try (var stdinStream = p.getOutputStream()) {
            stdinStream.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("baton " + String.join(" ", args) + " did not finish within 60 s");
        }
        return new Result(p.exitValue(), Files.readString(outFile), Files.readString(errFile));
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
