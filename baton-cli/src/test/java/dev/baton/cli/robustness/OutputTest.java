package dev.baton.cli.robustness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the command prints: JSON lines, hints it gives, option handling. */
class OutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /*
     * Cause: RunCommand opens its workbench with Operators.console(t) (RunCommand.java:45), whose
     * question and answer go to standard output through Terminal.println (Operators.java:14-15,
     * Terminal.prompt/ask), even under --json. `baton run --json --desk acme "let me talk to a human"`
     * thus writes "(operator) Reply as the human agent:" and "operator> ..." among the JSON lines.
     * Fix: under --json give the operator a terminal whose prompts go to standard error
     * (e.g. Operators.console(t.withOutOnErr()) or a flag on Terminal), as say() already does for the banner.
     */
    @Test
    void run_json_keeps_every_stdout_line_json_even_when_the_human_agent_asks_the_operator() {
        Baton.Result r = Baton.run(dir, "Hi, Sam here, how can I help?\n", "run", "--json", "--desk", "acme",
                "let me talk to a human, please");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out().lines().toList()).as("%s", r).isNotEmpty().allSatisfy(line ->
                assertThatCode(() -> JSON.readTree(line)).as("stdout line %s", line).doesNotThrowAnyException());
    }

    /*
     * Cause: ChatCommand.java:50 prints "Session X is saved · continue with: baton chat --session X" even
     * when no message was sent, but nothing was written for the session, so Workbench.sessionExists
     * (Workbench.java:204-205) is false and ChatCommand.java:37-38 rejects the suggested command with
     * "unknown session". Fix: print the hint only when the session exists (a turn ran), or make
     * sessionExists also accept ids with a recorded run (stores.runs().listRuns(withSession(id))).
     */
    @Test
    void a_chat_left_before_any_message_does_not_offer_a_session_that_cannot_be_continued() {
        Baton.Result left = Baton.run(dir, "/quit\n", "chat");
        assertThat(left.exit()).as("%s", left).isZero();

        if (left.out().contains("continue with: ./baton chat --session")) {
            Baton.Result again = Baton.run(dir, "/quit\n", "chat", "--session", left.session());
            assertThat(again.exit()).as("the command the first chat suggested:%n%s", again).isZero();
        }
    }

    /*
     * Cause: RunsListCommand.java:51 computes `limit * 10` in int before Math.min, so --limit above
     * 214748364 overflows to a negative number and RunQuery rejects it:
     * "baton: IllegalArgumentException: limit must be at least 1, got -1474836480", exit 1.
     * Fix: (int) Math.min(10_000L, limit * 10L).
     */
    @Test
    void runs_list_of_a_desk_with_a_large_limit_lists_the_runs_instead_of_overflowing() {
        Baton.Result started = Baton.run(dir, "", "run", "--desk", "acme", "My rocket skates are broken.");
        assertThat(started.exit()).as("%s", started).isZero();

        Baton.Result r = Baton.run(dir, "", "runs", "list", "--desk", "acme", "--limit", "2000000000");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains(started.session());
    }

    /*
     * Cause: Stores.java:41-43 strips "jdbc:sqlite:" and resolves the rest as a path, so the SQLite JDBC
     * URI form jdbc:sqlite:file:data.db (which sqlite-jdbc itself accepts) creates a file literally named
     * "file:data.db" in the working directory. Fix: strip a leading "file:" (and any "?..." parameters)
     * before resolving, or hand jdbc:sqlite: URLs to the driver unchanged.
     */
    @Test
    void a_jdbc_sqlite_file_uri_opens_the_named_file() {
        Baton.Result r = Baton.run(dir, "", "runs", "list", "--db", "jdbc:sqlite:file:data.db", "--create-db");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(dir.resolve("data.db")).exists();
        assertThat(Files.exists(dir.resolve("file:data.db"))).as("a file named 'file:data.db'").isFalse();
    }

    /** A database in memory would vanish with the process; the CLI needs one shared across processes. */
    @Test
    void an_in_memory_sqlite_database_is_refused_with_one_line() {
        for (String db : new String[] {"jdbc:sqlite::memory:", ":memory:", "jdbc:sqlite:file::memory:?cache=shared"}) {
            Baton.Result r = Baton.run(dir, "", "runs", "list", "--db", db);

            assertThat(r.exit()).as("%s", r).isNotZero();
            assertThat(r.err().lines().toList()).as("%s", r).hasSize(1).first().asString().startsWith("baton: ").contains("in-memory");
        }
    }

    @Test
    void jdbc_sqlite_url_parameters_are_not_part_of_the_file_name() {
        Baton.Result r = Baton.run(dir, "", "runs", "list", "--db", "jdbc:sqlite:file:data.db?journal_mode=WAL", "--create-db");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(dir.resolve("data.db")).exists();
    }
}
