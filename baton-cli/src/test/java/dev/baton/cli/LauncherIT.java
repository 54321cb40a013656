package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, {@code ./baton demo}, run as a user runs it: the launcher script from
 * another working directory, with no JAVA_HOME and whatever {@code java} the PATH has (17 on the
 * build machines), after the jar is packaged.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(180)
class LauncherIT {
    @TempDir
    Path workdir;

    @Test
    void baton_demo_finds_a_jdk_runs_the_three_desks_and_exits_0() throws Exception {
        Path launcher = Path.of(System.getProperty("baton.root", "..")).toRealPath().resolve("baton");
        assertThat(launcher).isExecutable();

        Result demo = run(List.of(launcher.toString(), "demo"));

        assertThat(demo.exit()).as("exit code; output:%n%s", demo.output()).isZero();
        assertThat(demo.output())
                .contains("model offline")
                .contains("-> handoff support_triage -> billing_specialist")
                .contains("Approve process_refund")
                .contains("-> handoff triage_agent -> human_agent")
                .contains("guardrail priority tripped")
                .contains("Demo done: 3 desks");
        assertThat(Files.exists(workdir.resolve(".baton"))).as("the demo keeps nothing in the working directory").isFalse();
    }

    @Test
    void an_unknown_desk_is_one_line_on_stderr_and_a_non_zero_exit() throws Exception {
        Path launcher = Path.of(System.getProperty("baton.root", "..")).toRealPath().resolve("baton");

        Result result = run(List.of(launcher.toString(), "run", "hello", "--desk", "nope"));

        assertThat(result.exit()).isNotZero();
        assertThat(result.output().strip().lines().toList()).singleElement().asString()
                .startsWith("baton: ").contains("nope").contains("support");
    }

    @Test
    void runs_list_prints_its_answer_and_no_log_lines_even_when_it_creates_the_database() throws Exception {
        Path launcher = Path.of(System.getProperty("baton.root", "..")).toRealPath().resolve("baton");

        Result created = run(List.of(launcher.toString(), "runs", "list"));
        Result again = run(List.of(launcher.toString(), "runs", "list"));

        for (Result r : List.of(created, again)) {
            assertThat(r.exit()).as("exit code; output:%n%s", r.output()).isZero();
            assertThat(r.output().strip().lines().toList()).as("output").singleElement().asString().startsWith("No runs yet.");
        }
        assertThat(workdir.resolve(".baton/baton.db")).exists();
    }

    @Test
    void verbose_shows_the_libraries_log_lines() throws Exception {
        Path launcher = Path.of(System.getProperty("baton.root", "..")).toRealPath().resolve("baton");

        Result verbose = run(List.of(launcher.toString(), "runs", "list", "--verbose"));

        assertThat(verbose.exit()).as("exit code; output:%n%s", verbose.output()).isZero();
        assertThat(verbose.output()).contains("INFO DbMigrate - Migrating schema \"main\" to version \"1 - sessions\"")
                .contains("No runs yet.");
    }

    record Result(int exit, String output) {}

    private Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(workdir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("JAVA_HOME");
        env.remove("OPENAI_API_KEY");
        env.remove("OPENAI_BASE_URL");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
