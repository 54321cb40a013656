package dev.baton.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The console a command talks to: where it reads the user's lines and writes its output, the
 * environment it reads settings from, and the directory relative paths start from. The tests
 * give commands a terminal of their own, so they drive {@code chat} in-process with a script.
 *
 * @param echo whether to repeat each line read after its prompt: the input is a pipe or a file,
 *     not a person typing, so without it the transcript would lack what was said
 */
record Terminal(BufferedReader in, PrintWriter out, PrintWriter err, Map<String, String> env, Path workDir, boolean echo) {

    /** The next line of input, or null once the input has ended. */
    @Nullable String readLine() {
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the input: " + e.getMessage(), e);
        }
    }

    /** All the input left, up to its end: a message too long for an argument ({@code run -}). */
    String readAll() {
        try {
            StringBuilder all = new StringBuilder();
            char[] buffer = new char[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                all.append(buffer, 0, n);
            }
            return all.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the input: " + e.getMessage(), e);
        }
    }

    /** Shows {@code prompt} and reads one line; null once the input has ended. */
    @Nullable String prompt(String prompt) {
        synchronized (out) {
            out.print(prompt);
            out.flush();
        }
        String line = readLine();
        if (line == null) {
            println("");
        } else if (echo) {
            println(line);
        }
        return line;
    }

    /**
     * This terminal with its standard output replaced by the error stream: for prompts and
     * questions of a command whose standard output must hold only data ({@code run --json}).
     */
    Terminal withOutOnErr() {
        return new Terminal(in, err, err, env, workDir, echo);
    }

    void println(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    void error(String line) {
        err.println(line);
        err.flush();
    }

    @Nullable String env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }
}
