package dev.baton.cli.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.cli.BatonCli;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives {@code dev.baton.cli.BatonCli} in this JVM with injected streams (through its package-private
 * {@code run(String[], InputStream, OutputStream, OutputStream, Map, Path)} test entry point, reached by
 * reflection from this package), or starts it in a child JVM.
 */
final class Baton {
    private Baton() {}

    record Result(int exit, String out, String err) {
        String session() {
            Matcher m = Pattern.compile("(?:New session|session) ((?:support|acme|rma)-[0-9a-f]{8})").matcher(out + err);
            assertThat(m.find()).as("a session id in:%n%s", this).isTrue();
            return m.group(1);
        }

        String approvalId() {
            Matcher m = Pattern.compile("baton approvals approve (\\S+)").matcher(out + err);
            assertThat(m.find()).as("an approval command in:%n%s", this).isTrue();
            return m.group(1);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private static final Method RUN;

    static {
        try {
            RUN = BatonCli.class.getDeclaredMethod("run", String[].class, InputStream.class, OutputStream.class, OutputStream.class,
                    Map.class, Path.class);
            RUN.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@code baton args} in this JVM, offline, in {@code dir}, reading {@code stdin}. */
    static Result run(Path dir, String stdin, String... args) {
        return run(dir, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), args);
    }

    /** As {@link #run(Path, String, String...)} on a given input and output (to watch a chat from another thread). */
    static Result run(Path dir, InputStream in, ByteArrayOutputStream out, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            exit = (Integer) RUN.invoke(null, args, in, out, err, Map.of(), dir);
        } catch (InvocationTargetException e) {
            throw new AssertionError("baton " + String.join(" ", args) + " threw", e.getCause());
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A child JVM running {@code baton args} in {@code dir}, with no OpenAI variables; streams left to the caller. */
    static Process start(Path dir, String... args) throws java.io.IOException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), BatonCli.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = new HashMap<>(pb.environment());
        env.keySet().removeIf(k -> k.startsWith("OPENAI_") || k.startsWith("BATON_"));
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }
}
