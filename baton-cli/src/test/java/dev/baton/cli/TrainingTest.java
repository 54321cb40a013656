package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's training run for the class-data archive: if one of its commands stopped working,
 * the launcher would silently never have an archive, so each must succeed, offline, in one JVM.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TrainingTest {
    @TempDir
    Path dir;

    @Test
    void every_command_of_the_training_run_succeeds_offline_on_a_scratch_database() throws Exception {
        Path scratch = dir.resolve("scratch");
        ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Training.class.getName(),
                scratch.toString())).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("OPENAI_BASE_URL", "http://127.0.0.1:9/v1");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as("exit code; output:%n%s", output).isZero();
        for (List<String> command : Training.COMMANDS) {
            assertThat(output).contains("$ baton " + String.join(" ", command));
        }
        assertThat(output).doesNotContain("(exit 1)").doesNotContain("(exit 2)")
                .contains("completed  support").contains("No approvals waiting");
        assertThat(scratch.resolve("train.db")).isRegularFile();
        assertThat(Files.list(dir).map(f -> f.getFileName().toString()).toList())
                .as("nothing written outside the scratch directory").containsExactly("scratch");
    }
}
