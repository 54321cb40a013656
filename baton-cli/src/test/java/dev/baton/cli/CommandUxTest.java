package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.jdbc.SqliteSessionStore;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command as a person meets it: sessions they name, chat commands, the database they point at, hints they copy. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CommandUxTest {
    /** A command line for the user that names a bare {@code baton}, which is not on the PATH of a clone. */
    private static final Pattern BARE = Pattern.compile("(?m)(^|[^./\\w-])baton (run|chat|runs|approvals|demo)\\b");

    @TempDir
    Path dir;

    @Test
    void run_on_a_session_id_the_database_does_not_know_starts_that_session_on_the_desk_the_id_names() {
        Cli.Result r = Cli.inProcess(dir, "", "run", ChatCommandTest.DOUBLE_CHARGE, "--session", "support-1a2b3c4d");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("Baton · desk support").contains("-> handoff support_triage -> billing_specialist")
                .contains("· completed · session support-1a2b3c4d · continue with: ./baton run --session support-1a2b3c4d");

        Cli.Result again = Cli.inProcess(dir, "", "run", ChatCommandTest.FOLLOW_UP, "--session", "support-1a2b3c4d");
        assertThat(again.exit()).as("%s", again).isZero();
        assertThat(again.out()).contains("[billing_specialist] ").doesNotContain("-> handoff");
    }

    @Test
    void a_new_session_id_without_a_desk_prefix_takes_the_desk_flag_or_else_support() {
        Cli.Result acme = Cli.inProcess(dir, "/quit\n", "chat", "--session", "ticket-42", "--desk", "acme");
        assertThat(acme.exit()).as("%s", acme).isZero();
        assertThat(acme.out()).contains("Baton · desk acme").contains("New session ticket-42 ");

        Cli.Result support = Cli.inProcess(dir, "", "run", ChatCommandTest.DOUBLE_CHARGE, "--session", "ticket-43");
        assertThat(support.exit()).as("%s", support).isZero();
        assertThat(support.out()).contains("Baton · desk support").contains("· session ticket-43 ·");
    }

    @Test
    void hints_name_the_command_as_the_readme_runs_it_or_as_the_launcher_says_it_was_invoked() {
        Cli.Result paused = Cli.inProcess(dir, "", "run", ChatCommandTest.BIG_REFUND);
        Cli.Result listed = Cli.inProcess(dir, "", "approvals", "list");
        Cli.Result empty = Cli.inProcess(dir, "", "runs", "list", "--db", dir.resolve("none.db").toString(), "--create-db");

        for (Cli.Result r : List.of(paused, listed, empty)) {
            assertThat(r.exit()).as("%s", r).isZero();
            assertThat(BARE.matcher(r.out() + r.err()).find()).as("a bare 'baton' command in%n%s", r).isFalse();
        }
        assertThat(paused.out()).contains("approve: ./baton approvals approve run_").contains("continue with: ./baton run --session ");
        assertThat(listed.out()).contains("Decide with: ./baton approvals approve ID");
        assertThat(empty.out()).contains("Start one with: ./baton run ");

        Cli.Result invoked = Cli.inProcess(dir, Map.of(Hint.ENV, "/opt/baton/baton"), "", "run", ChatCommandTest.DOUBLE_CHARGE);
        assertThat(invoked.out()).contains("continue with: /opt/baton/baton run --session " + invoked.session());
    }

    @Test
    void exit_quit_and_slash_commands_in_chat_are_commands_and_never_reach_the_desk() {
        for (String leave : List.of("exit", "quit", "/exit", "/quit", "Exit")) {
            Cli.Result r = Cli.inProcess(dir, leave + "\n" + ChatCommandTest.DOUBLE_CHARGE + "\n", "chat");
            assertThat(r.exit()).as("%s", r).isZero();
            assertThat(r.out()).as("after %s", leave).doesNotContain("[billing_specialist]").doesNotContain("Session ");
        }
        Cli.Result help = Cli.inProcess(dir, "/help\n/refund everything\n/quit\n", "chat");
        assertThat(help.out()).contains("/quit, /exit        leave").contains("Unknown command /refund; /help lists the commands (nothing was sent).");

        assertThat(Cli.inProcess(dir, "", "runs", "list").out()).startsWith("No runs yet.");
    }

    @Test
    void the_operator_hands_the_customer_back_to_triage_and_slash_commands_are_never_the_human_agents_reply() {
        Cli.Result r = Cli.inProcess(dir, "let me talk to a human, please\n/help\n/nonsense\n/triage I'll pass you back to our assistant.\n"
                + "/quit\n", "chat", "--desk", "acme");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("-> handoff triage_agent -> human_agent")
                .contains("/triage [message] hands back to triage_agent")
                .contains("(operator) a line is the human agent's reply to the customer")
                .contains("(operator) Unknown command /nonsense")
                .contains("[human_agent] I'll pass you back to our assistant.")
                .contains("-> handoff human_agent -> triage_agent")
                .doesNotContain("[human_agent] /");
    }

    @Test
    void quit_at_the_operator_prompt_leaves_the_run_resumable_and_sends_nothing_to_the_customer() {
        Cli.Result r = Cli.inProcess(dir, "let me talk to a human, please\n/quit\n", "chat", "--desk", "acme");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("operator> /quit").doesNotContain("[human_agent]")
                .contains("stopped: the operator left without replying as the human agent (/quit). It is not lost: continue it with: "
                        + "./baton runs resume run_");

        Cli.Result running = Cli.inProcess(dir, "", "runs", "list", "--status", "running");
        assertThat(running.out()).as("the agent holding the live run").contains(" acme ").contains(" human_agent ").contains(r.session());
    }

    @Test
    void a_db_path_that_does_not_exist_is_refused_unless_create_db_is_given() {
        Path typo = dir.resolve("batn.db");

        Cli.inProcess(dir, "", "runs", "list", "--db", typo.toString())
                .failsWithOneLine("database " + typo + " does not exist").failsWithOneLine("add --create-db to create it");
        Cli.inProcess(dir, "", "run", "hello", "--db", "jdbc:sqlite:batn.db").failsWithOneLine("does not exist");
        assertThat(typo).doesNotExist();
        assertThat(dir.resolve(".baton")).doesNotExist();

        assertThat(Cli.inProcess(dir, "", "runs", "list", "--db", typo.toString(), "--create-db").exit()).isZero();
        assertThat(typo).exists();
        assertThat(Cli.inProcess(dir, "", "runs", "list", "--db", typo.toString()).exit()).as("now it exists").isZero();
        assertThat(Cli.inProcess(dir, "", "runs", "list").exit()).as("the default database is created").isZero();
    }

    @Test
    void listing_and_showing_runs_need_no_model_so_a_model_no_key_backs_does_not_stop_them() {
        Cli.Result paused = Cli.inProcess(dir, "", "run", ChatCommandTest.BIG_REFUND);
        String runId = paused.approvalId().split("/")[0];

        for (String[] args : List.of(new String[] {"runs", "list"}, new String[] {"runs", "show", runId},
                new String[] {"approvals", "list"})) {
            String[] withModel = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--model", "gpt-4.1-mini"))
                    .toArray(String[]::new);
            Cli.Result r = Cli.inProcess(dir, "", withModel);
            assertThat(r.exit()).as("%s", r).isZero();
            assertThat(r.out()).contains(runId);
        }
        Cli.inProcess(dir, "", "run", "hello", "--model", "gpt-4.1-mini").failsWithOneLine("needs OPENAI_API_KEY");
    }

    @Test
    void runs_list_show_and_approvals_list_open_the_database_only_to_read_it_so_a_writer_holding_it_does_not_stop_them()
            throws Exception {
        String approval = Cli.inProcess(dir, "", "run", ChatCommandTest.BIG_REFUND).approvalId();
        String runId = approval.split("/")[0];
        Path db = dir.resolve(".baton/baton.db");

        try (java.sql.Connection writer = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
                java.sql.Statement s = writer.createStatement()) {
            s.execute("BEGIN IMMEDIATE"); // another process in the middle of a write
            Cli.Result listed = Cli.inProcess(dir, "", "runs", "list");
            Cli.Result shown = Cli.inProcess(dir, "", "runs", "show", runId);
            Cli.Result approvals = Cli.inProcess(dir, "", "approvals", "list");
            s.execute("ROLLBACK");

            assertThat(listed.exit()).as("%s", listed).isZero();
            assertThat(listed.out()).contains(runId).contains("billing_specialist");
            assertThat(shown.exit()).as("%s", shown).isZero();
            assertThat(shown.out()).contains("· paused · desk support");
            assertThat(approvals.exit()).as("%s", approvals).isZero();
            assertThat(approvals.out()).contains(approval);
        }
    }

    @Test
    void run_dash_reads_a_message_of_200_kb_from_standard_input() throws Exception {
        StringBuilder message = new StringBuilder("Hi, I was charged $99 twice last month for invoice INV-8821. The statement follows.\n");
        while (message.length() < 200_000) {
            message.append("2025-03-01 ACME subscription, invoice INV-8821, $99.00, card ending 4242\n");
        }

        Cli.Result r = Cli.inProcess(dir, message.toString(), "run", "-");

        assertThat(r.exit()).as("exit; err: %s", r.err()).isZero();
        try (SqliteSessionStore sessions = SqliteSessionStore.open(dir.resolve(".baton/baton.db"))) {
            Item first = sessions.items(r.session(), 0).get(0);
            assertThat(first).isInstanceOfSatisfying(Message.class, m -> assertThat(m.text()).isEqualTo(message.toString().strip()));
        }
        Cli.inProcess(dir, "  \n", "run", "-").failsWithOneLine("the message is empty");
    }

    @Test
    void a_message_sent_again_after_its_run_failed_is_held_once_by_the_session() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, String> refused = Map.of("OPENAI_BASE_URL", "http://127.0.0.1:" + port + "/v1");
        String session = "support-0badc0de";

        for (int attempt = 0; attempt < 2; attempt++) {
            Cli.Result r = Cli.inProcess(dir, refused, "", "run", ChatCommandTest.DOUBLE_CHARGE, "--session", session, "--model", "m");
            assertThat(r.exit()).as("%s", r).isNotZero();
            assertThat(r.err()).contains("connection refused");
        }
        Cli.Result other = Cli.inProcess(dir, refused, "", "run", ChatCommandTest.FOLLOW_UP, "--session", session, "--model", "m");
        assertThat(other.exit()).isNotZero();

        try (SqliteSessionStore sessions = SqliteSessionStore.open(dir.resolve(".baton/baton.db"))) {
            assertThat(sessions.items(session, 0)).containsExactly(Message.user(ChatCommandTest.DOUBLE_CHARGE),
                    Message.user(ChatCommandTest.FOLLOW_UP));
        }
        assertThat(Files.exists(dir.resolve(".baton/baton.db"))).isTrue();
    }
}
