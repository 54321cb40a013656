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

    @Test
    void a_model_server_that_refuses_connections_shows_each_retry_and_then_the_cause() throws Exception {
        Path launcher = Path.of(System.getProperty("baton.root", "..")).toRealPath().resolve("baton");
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String baseUrl = "http://127.0.0.1:" + port + "/v1";

        Result result = run(List.of(launcher.toString(), "run", "I was charged twice for INV-8821", "--model", "gpt-4.1-mini"),
                Map.of("OPENAI_BASE_URL", baseUrl));

        assertThat(result.exit()).as("exit code; output:%n%s", result.output()).isNotZero();
        assertThat(result.output())
                .containsPattern("OpenAI call failed \\(connection refused to 127\\.0\\.0\\.1:" + port + "\\); retry 1 of 2 in \\d\\.\\d s")
                .containsPattern("retry 2 of 2 in \\d\\.\\d s")
                .contains("OpenAI call failed: connection refused to 127.0.0.1:" + port + " (is the server at " + baseUrl + " running?)")
                .doesNotContain("Request failed");
    }

    @Test
    void a_damaged_class_data_archive_never_breaks_a_command_nor_adds_output() throws Exception {
        Path root = Path.of(System.getProperty("baton.root", "..")).toRealPath();
        Path launcher = root.resolve("baton");
        Path target = root.resolve("baton-cli/target");
        assertThat(run(List.of(launcher.toString(), "--version")).exit()).isZero();
        Path archive = null;
        // The first command starts the training in the background; wait for the archive it leaves.
        for (int i = 0; i < 600 && archive == null; i++) {
            for (String name : List.of("baton.aot", "baton.jsa")) {
                if (Files.exists(target.resolve(name + ".for")) && !Files.exists(target.resolve(name + ".lock"))) {
                    archive = target.resolve(name);
                }
            }
            if (archive == null) {
                Thread.sleep(250);
            }
        }
        assertThat(archive).as("a class-data archive in %s", target).isNotNull();
        Files.write(archive, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});

        try {
            Result result = run(List.of(launcher.toString(), "runs", "list"));

            assertThat(result.exit()).as("exit code; output:%n%s", result.output()).isZero();
            assertThat(result.output().strip().lines().toList()).singleElement().asString().startsWith("No runs yet.");
        } finally {
            // Without the archive and its stamp, the next command trains a new one.
            Files.deleteIfExists(target.resolve(archive.getFileName() + ".for"));
            Files.deleteIfExists(archive);
        }
    }

    @Test
    void a_damaged_copy_of_the_sqlite_library_is_never_loaded_and_is_replaced() throws Exception {
        Path root = Path.of(System.getProperty("baton.root", "..")).toRealPath();
        Path launcher = root.resolve("baton");
        assertThat(run(List.of(launcher.toString(), "runs", "list")).exit()).isZero();
        List<Path> libraries;
        try (var files = Files.walk(root.resolve("baton-cli/target/native"))) {
            libraries = files.filter(f -> Files.exists(f.resolveSibling(f.getFileName() + ".crc32"))).toList();
        }
        assertThat(libraries).as("the SQLite library kept by the launcher").hasSize(1);
        Path library = libraries.get(0);
        byte[] intact = Files.readAllBytes(library);
        byte[] damaged = intact.clone();
        // Garbage where the ELF header and code are: loading this would crash the JVM, not fail politely.
        java.util.Arrays.fill(damaged, 0, Math.min(damaged.length, 4096), (byte) 0x41);
        // Written aside and renamed over it, as a new file: a command loading the library meanwhile keeps the old one.
        Path aside = Files.write(library.resolveSibling("damaged.tmp"), damaged);
        Files.move(aside, library, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        Result result = run(List.of(launcher.toString(), "runs", "list"));

        assertThat(result.exit()).as("exit code; output:%n%s", result.output()).isZero();
        assertThat(result.output().strip().lines().toList()).singleElement().asString().startsWith("No runs yet.");
        assertThat(Files.readAllBytes(library)).as("the kept copy, extracted again").isEqualTo(intact);
    }

    record Result(int exit, String output) {}

    private Result run(List<String> command) throws IOException, InterruptedException {
        return run(command, Map.of());
    }

    private Result run(List<String> command, Map<String, String> extraEnv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(workdir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("JAVA_HOME");
        env.remove("OPENAI_API_KEY");
        env.remove("OPENAI_BASE_URL");
        env.putAll(extraEnv);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
