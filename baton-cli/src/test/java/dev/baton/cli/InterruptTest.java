package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C: the real command in a child JVM, sent SIGINT ({@code kill -INT}) as a terminal sends it
 * when a person presses Ctrl-C. The child is started through {@code env --default-signal=INT}: a
 * process started in the background by a non-interactive shell (as a build often is) ignores
 * SIGINT, and its children inherit that.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(120)
class InterruptTest {
    private static final Pattern RESUME = Pattern.compile("Stopped: run (run_\\w+) is resumable; continue it with: \\./baton runs resume \\1");

    @TempDir
    Path dir;

    @Test
    void ctrl_c_during_a_model_call_stops_the_run_resumable_says_how_to_go_on_and_exits_130() throws Exception {
        List<Socket> calls = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0)) {
            // A model server that takes the call and never answers: the command waits in the model call.
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        calls.add(server.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            Child child = Child.start(dir, Map.of("OPENAI_BASE_URL", "http://127.0.0.1:" + server.getLocalPort() + "/v1"),
                    "run", "I was charged twice for INV-8821", "--model", "gpt-4.1-mini");
            child.await(() -> !calls.isEmpty(), "the model call");

            Child.Ended ended = child.interrupt();

            assertThat(ended.exit()).as("%s", ended).isEqualTo(130);
            Matcher m = RESUME.matcher(ended.err());
            assertThat(m.find()).as("the resume hint in%n%s", ended).isTrue();
            assertThat(ended.out() + ended.err()).doesNotContain("Exception").doesNotContain("is closed").doesNotContain("\tat ")
                    .doesNotContain("failed");
            Cli.Result running = Cli.inProcess(dir, "", "runs", "list", "--status", "running");
            assertThat(running.out()).as("the run is left running, to resume").contains(m.group(1));
        } finally {
            for (Socket s : calls) {
                s.close();
            }
        }
    }

    @Test
    void ctrl_c_at_the_chat_prompt_prints_a_newline_and_how_to_continue_the_session() throws Exception {
        Child child = Child.start(dir, Map.of(), "chat");
        child.write(ChatCommandTest.DOUBLE_CHARGE + "\n");
        child.await(() -> count(child.out(), "you> ") == 2, "the second prompt");

        Child.Ended ended = child.interrupt();

        assertThat(ended.exit()).as("%s", ended).isEqualTo(130);
        assertThat(ended.out()).contains("[billing_specialist] ").endsWith("you> ");
        String session = Pattern.compile("New session (support-[0-9a-f]{8})").matcher(ended.out()).results().findFirst().orElseThrow().group(1);
        assertThat(ended.err()).isEqualTo("\nSession " + session + " is saved · continue with: ./baton chat --session " + session + "\n");
    }

    @Test
    void ctrl_c_at_the_operator_prompt_leaves_the_escalation_resumable() throws Exception {
        Child child = Child.start(dir, Map.of(), "chat", "--desk", "acme");
        child.write("let me talk to a human, please\n");
        child.await(() -> child.out().contains("operator> "), "the operator prompt");

        Child.Ended ended = child.interrupt();

        assertThat(ended.exit()).as("%s", ended).isEqualTo(130);
        assertThat(ended.err()).startsWith("\n").containsPattern(RESUME);
        assertThat(ended.out() + ended.err()).doesNotContain("Exception").doesNotContain("failed");
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /** {@code baton args} in a child JVM, its input a pipe this test writes to, its output in files. */
    private record Child(Process process, Path outFile, Path errFile, OutputStream in) {
        record Ended(int exit, String out, String err) {
            @Override
            public String toString() {
                return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
            }
        }

        static Child start(Path dir, Map<String, String> extraEnv, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT",
                    ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), BatonCli.class.getName()));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
            Map<String, String> env = new HashMap<>(pb.environment());
            env.keySet().removeIf(k -> k.startsWith("OPENAI_") || k.startsWith("BATON_"));
            env.putAll(extraEnv);
            pb.environment().clear();
            pb.environment().putAll(env);
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return new Child(p, out, err, p.getOutputStream());
        }

        void write(String line) throws IOException {
            in.write(line.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        String out() {
            try {
                return Files.readString(outFile);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        void await(BooleanSupplier condition, String what) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!condition.getAsBoolean()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new AssertionError("no " + what + " from baton; out:\n" + out() + "\nerr:\n" + Files.readString(errFile));
                }
                Thread.sleep(50);
            }
        }

        /** Sends SIGINT, as Ctrl-C does, and waits for the command to end. */
        Ended interrupt() throws Exception {
            Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).inheritIO().start();
            assertThat(kill.waitFor()).as("kill -INT").isZero();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("baton did not stop on SIGINT; out:\n" + out() + "\nerr:\n" + Files.readString(errFile));
            }
            in.close();
            return new Ended(process.exitValue(), out(), Files.readString(errFile));
        }
    }
}
