package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadInputTest {
    @TempDir
    Path dir;

    @Test
    void an_unknown_desk_is_named_with_the_desks_there_are() {
        Cli.inProcess(dir, "", "chat", "--desk", "x").failsWithOneLine("unknown desk 'x' (desks: support, acme, rma)");
        Cli.inProcess(dir, "", "run", "hello", "--desk", "x").failsWithOneLine("unknown desk 'x'");
        Cli.inProcess(dir, "", "demo", "--desk", "x").failsWithOneLine("unknown desk 'x'");
    }

    @Test
    void a_session_id_of_another_desk_or_not_an_id_is_refused() {
        Cli.inProcess(dir, "", "chat", "--desk", "acme", "--session", "support-00000000")
                .failsWithOneLine("session 'support-00000000' is a conversation of desk 'support', not 'acme'");
        Cli.inProcess(dir, "", "run", "hello", "--session", "two words").failsWithOneLine("a session id is 1 to 200 letters");
        Cli.inProcess(dir, "", "run", "hello", "--session", "").failsWithOneLine("a session id is 1 to 200 letters");
    }

    @Test
    void an_unknown_run_or_approval_is_one_line() {
        Cli.inProcess(dir, "", "runs", "show", "run_nope").failsWithOneLine("unknown run 'run_nope'");
        Cli.inProcess(dir, "", "runs", "resume", "run_nope").failsWithOneLine("unknown run 'run_nope'");
        Cli.inProcess(dir, "", "approvals", "approve", "run_nope/call_1").failsWithOneLine("unknown run 'run_nope'");
        Cli.inProcess(dir, "", "approvals", "reject", "not-an-id").failsWithOneLine("<run id>/<call id>");
    }

    @Test
    void a_database_that_cannot_be_opened_is_one_line() throws IOException {
        Path file = Files.writeString(dir.resolve("plain-file"), "not a directory");
        Cli.inProcess(dir, "", "runs", "list", "--create-db", "--db", file.resolve("baton.db").toString()).failsWithOneLine("cannot open database");
        Files.writeString(dir.resolve("garbage.db"), "this is not a SQLite database, not at all".repeat(100));
        Cli.inProcess(dir, "", "runs", "list", "--db", dir.resolve("garbage.db").toString()).failsWithOneLine("garbage.db");
    }

    @Test
    void an_unreachable_postgres_server_is_one_line_without_the_password() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Cli.Result r = Cli.inProcess(dir, "", "runs", "list", "--db", "jdbc:postgresql://127.0.0.1:" + port + "/baton?user=me&password=hunter2")
                .failsWithOneLine("127.0.0.1:" + port);
        assertThat(r.err()).doesNotContain("hunter2");
    }

    @Test
    void a_model_endpoint_that_fails_ends_the_run_with_one_line() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "{\"error\":{\"message\":\"model 'nope' not found\",\"type\":\"invalid_request_error\"}}".getBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(404, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Map<String, String> env = Map.of("OPENAI_BASE_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
            Cli.Result r = Cli.inProcess(dir, env, "", "run", "I was charged twice", "--model", "nope")
                    .failsWithOneLine("failed");
            assertThat(r.out()).contains("model nope (http://127.0.0.1:");
            Cli.inProcess(dir, env, "hello\n", "chat", "--model", "nope").failsWithOneLine("failed");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void naming_a_model_without_an_endpoint_says_what_to_set() {
        Cli.inProcess(dir, "", "run", "hello", "--model", "gpt-4.1-mini").failsWithOneLine("needs OPENAI_API_KEY");
    }

    @Test
    void a_wrong_option_or_status_is_one_line_with_where_to_look() {
        Cli.inProcess(dir, "", "chat", "--bogus").failsWithOneLine("Unknown option: '--bogus' (see 'baton chat --help')");
        Cli.inProcess(dir, "", "runs", "list", "--status", "sleeping").failsWithOneLine("unknown status 'sleeping'");
        Cli.inProcess(dir, "", "runs", "list", "--limit", "x").failsWithOneLine("--limit");
        assertThat(Cli.inProcess(dir, "", "nonsense").exit()).isEqualTo(2);
    }

    @Test
    void help_lists_every_command() {
        Cli.Result r = Cli.inProcess(dir, "", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("chat", "run", "runs", "approvals", "demo", "--model", "--db");
    }
}
