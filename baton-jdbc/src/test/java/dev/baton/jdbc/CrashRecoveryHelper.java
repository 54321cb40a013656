package dev.baton.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts {@link CrashChild} JVMs and reads the log files they leave in a test's directory. */
record CrashRecoveryHelper(Path dir) {

    Process spawn(List<String> args) throws IOException {
        return spawn(List.of(), args);
    }

    /** Starts a child JVM with extra JVM options, such as {@code -Dbaton.crash.lease-ms=5000}. */
    Process spawn(List<String> jvmOptions, List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashChild.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    void awaitLines(String file, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lines(file).size() < n) {
            assertThat(System.nanoTime()).as("waiting for %d lines in %s", n, file).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    List<String> lines(String file) throws IOException {
        Path p = dir.resolve(file);
        return Files.exists(p) ? Files.readAllLines(p) : List.of();
    }
}
