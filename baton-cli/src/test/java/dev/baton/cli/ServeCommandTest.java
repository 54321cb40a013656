package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code baton serve} in this JVM, on a port the system chooses, called over real HTTP, then stopped. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(120)
class ServeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SERVING = Pattern.compile("at (http://[^ ]+/) \\(runs: ");
    private static final Pattern TOKEN = Pattern.compile("Token \\(shown once; kept in ([^)]+)\\): ([0-9a-f]{64})");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    /** A {@code baton serve} running on a thread of its own until {@link #stop()}. */
    final class Serving {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final AtomicInteger exit = new AtomicInteger(-1);
        final Thread thread;
        final URI url;

        Serving(Map<String, String> env, String... args) throws InterruptedException {
            thread = Thread.ofPlatform().name("baton-serve-test").start(() -> exit.set(
                    BatonCli.run(args, new ByteArrayInputStream(new byte[0]), out, err, env, dir)));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            Matcher m;
            // The address comes first, then the other lines; "Stop with Ctrl-C." is the last one printed.
            while (!(m = SERVING.matcher(out())).find() || !out().contains("Stop with Ctrl-C.")) {
                assertThat(thread.isAlive()).as("baton serve still running:%n%s%n%s", out(), err()).isTrue();
                assertThat(System.nanoTime()).as("baton serve started in time:%n%s", out()).isLessThan(deadline);
                Thread.sleep(20);
            }
            url = URI.create(m.group(1).replace("0.0.0.0", "127.0.0.1"));
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        /** Interrupts the command, as stopping it does, and waits for it to end; its exit code. */
        int stop() throws InterruptedException {
            thread.interrupt();
            thread.join(Duration.ofSeconds(30));
            assertThat(thread.isAlive()).as("baton serve stopped").isFalse();
            return exit.get();
        }
    }

    record Answer(int status, JsonNode body) {}

    Answer call(URI base, String method, String path, @Nullable String token, @Nullable String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), JSON.readTree(response.body()));
    }

    @Test
    void serve_on_port_0_answers_health_and_the_three_desks_runs_a_desk_and_stops_cleanly() throws Exception {
        Serving serve = new Serving(Map.of(), "serve", "--port", "0");

        assertThat(serve.out()).contains("model offline").contains("Serving the desks support, acme, rma at http://127.0.0.1:")
                .doesNotContain("Token");
        assertThat(serve.err()).as("no log lines").isEmpty();
        Answer health = call(serve.url, "GET", "/api/health", null, null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().get("status").asText()).isEqualTo("ok");
        Answer desks = call(serve.url, "GET", "/api/desks", null, null);
        assertThat(desks.status()).isEqualTo(200);
        assertThat(desks.body().get("desks").findValuesAsText("name")).containsExactly("acme", "rma", "support");

        Answer started = call(serve.url, "POST", "/api/desks/support/runs", null, "{\"input\": \"I was charged twice for INV-8821\"}");
        assertThat(started.status()).as("%s", started.body()).isEqualTo(201);
        JsonNode run = awaitEnd(serve.url, started.body().get("id").asText(), null);
        assertThat(run.get("status").asText()).as("%s", run).isIn("completed", "paused");
        assertThat(run.get("path").size()).as("triage handed the customer on: %s", run).isGreaterThan(1);

        assertThat(serve.stop()).as("exit code; %s", serve.err()).isZero();
        assertThat(serve.out()).contains("Stopped serving.");
        assertThat(dir.resolve(".baton/baton.db")).as("runs are kept in the database of the other commands").exists();
        Cli.Result listed = Cli.inProcess(dir, "", "runs", "list");
        assertThat(listed.out()).contains(started.body().get("id").asText());
    }

    @Test
    void with_the_runtime_in_process_the_acme_desk_answers_over_http_and_its_human_agent_in_the_queue() throws Exception {
        Serving serve = new Serving(Map.of(), "serve", "--port", "0", "--runtime", "inprocess");
        assertThat(serve.out()).contains("api/runtime/DESK/sessions/ID/messages").contains("chat at " + serve.url + "ui/chat");

        Answer refund = call(serve.url, "POST", "/api/runtime/acme/sessions/acme-rt/messages", null, "{\"message\": \"I want a refund\"}");
        assertThat(refund.status()).as("%s", refund.body()).isEqualTo(200);
        assertThat(refund.body().get("type").asText()).isEqualTo("answer");
        assertThat(refund.body().get("agent").asText()).as("triage handed the customer on").isEqualTo("issues_and_repairs");

        java.util.concurrent.CompletableFuture<Answer> manager = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return call(serve.url, "POST", "/api/runtime/acme/sessions/acme-rt/messages", null,
                        "{\"message\": \"I want to talk to your manager\"}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode questions = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            questions = call(serve.url, "GET", "/api/humans", null, null).body().get("questions");
            if (!questions.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(questions).as("the human agent's question, through the runtime's operator").hasSize(1);
        assertThat(questions.get(0).get("session").asText()).isEqualTo("acme-rt");
        call(serve.url, "POST", "/api/humans/" + questions.get(0).get("id").asText() + "/reply", null, "{\"text\": \"Manager here.\"}");
        Answer answered = manager.get();
        assertThat(answered.body().get("agent").asText()).as("%s", answered.body()).isEqualTo("human_agent");
        assertThat(answered.body().get("text").asText()).isEqualTo("Manager here.");

        assertThat(serve.stop()).as("exit code; %s", serve.err()).isZero();
        Cli.Result runs = Cli.inProcess(dir, "", "runs", "list", "--session", "acme-rt");
        assertThat(runs.out()).as("each turn is a durable run").contains("turn_").contains("human_agent");
    }

    @Test
    void a_conversation_the_acme_desk_escalates_to_its_human_agent_is_answered_over_http() throws Exception {
        Serving serve = new Serving(Map.of(), "serve", "--port", "0");

        Answer started = call(serve.url, "POST", "/api/desks/acme/runs", null,
                "{\"input\": \"I want to talk to your manager\", \"session\": \"acme-http\"}");
        assertThat(started.status()).as("%s", started.body()).isEqualTo(201);
        String id = started.body().get("id").asText();
        JsonNode questions = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            questions = call(serve.url, "GET", "/api/humans", null, null).body().get("questions");
            if (!questions.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(questions).as("the human agent's question").hasSize(1);
        assertThat(questions.get(0).get("agent").asText()).isEqualTo("human_agent");
        assertThat(questions.get(0).get("runId").asText()).isEqualTo(id);
        Answer answered = call(serve.url, "POST", "/api/humans/" + questions.get(0).get("id").asText() + "/reply", null,
                "{\"text\": \"This is the manager speaking.\"}");
        assertThat(answered.status()).as("%s", answered.body()).isEqualTo(200);
        JsonNode run = awaitEnd(serve.url, id, null);
        assertThat(run.get("status").asText()).as("%s", run).isEqualTo("completed");
        assertThat(run.get("output").asText()).isEqualTo("This is the manager speaking.");

        assertThat(serve.stop()).as("exit code; %s", serve.err()).isZero();
    }

    JsonNode awaitEnd(URI base, String id, @Nullable String token) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            JsonNode run = call(base, "GET", "/api/runs/" + id, token, null).body();
            if (!run.path("status").asText().equals("running") || System.nanoTime() > deadline) {
                return run;
            }
            Thread.sleep(50);
        }
    }

    @Test
    void on_another_address_a_token_is_generated_printed_once_kept_beside_the_database_and_required() throws Exception {
        Serving first = new Serving(Map.of(), "serve", "--port", "0", "--host", "0.0.0.0");
        Matcher m = TOKEN.matcher(first.out());
        assertThat(m.find()).as("a token in:%n%s", first.out()).isTrue();
        String token = m.group(2);
        Path file = dir.resolve(".baton/baton.db.token");
        assertThat(Path.of(m.group(1))).isEqualTo(file);
        assertThat(Files.readString(file).strip()).isEqualTo(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

        assertThat(call(first.url, "GET", "/api/desks", null, null).status()).isEqualTo(401);
        assertThat(call(first.url, "GET", "/api/desks", "not-" + token, null).status()).isEqualTo(401);
        assertThat(call(first.url, "GET", "/api/desks", token, null).status()).isEqualTo(200);
        assertThat(first.stop()).isZero();

        Serving again = new Serving(Map.of(), "serve", "--port", "0", "--host", "0.0.0.0");
        assertThat(again.out()).as("shown once").doesNotContain(token).contains("Authorization: Bearer <token>");
        assertThat(call(again.url, "GET", "/api/health", token, null).status()).isEqualTo(200);
        assertThat(again.stop()).isZero();
    }

    @Test
    void a_token_from_the_option_or_the_environment_is_required_even_on_loopback_and_never_printed() throws Exception {
        Serving option = new Serving(Map.of(), "serve", "--port", "0", "--token", "opt-token-1");
        assertThat(call(option.url, "GET", "/api/health", null, null).status()).isEqualTo(401);
        assertThat(call(option.url, "GET", "/api/health", "opt-token-1", null).status()).isEqualTo(200);
        assertThat(option.out()).doesNotContain("opt-token-1");
        assertThat(option.stop()).isZero();

        Serving env = new Serving(Map.of("BATON_TOKEN", "env-token-2"), "serve", "--port", "0", "--host", "0.0.0.0");
        assertThat(call(env.url, "GET", "/api/health", "env-token-2", null).status()).isEqualTo(200);
        assertThat(call(env.url, "GET", "/api/health", "opt-token-1", null).status()).isEqualTo(401);
        assertThat(env.out()).doesNotContain("env-token-2");
        assertThat(env.stop()).isZero();
        assertThat(dir.resolve(".baton/baton.db.token")).as("no token generated when one is given").doesNotExist();
    }

    @Test
    void with_hide_sensitive_data_tool_arguments_and_results_are_hidden_over_http() throws Exception {
        Serving serve = new Serving(Map.of(), "serve", "--port", "0", "--hide-sensitive-data");

        Answer started = call(serve.url, "POST", "/api/desks/support/runs", null, "{\"input\": \"I was charged twice for INV-8821\"}");
        String id = started.body().get("id").asText();
        awaitEnd(serve.url, id, null);
        Answer events = call(serve.url, "GET", "/api/runs/" + id + "/events", null, null);

        assertThat(events.body().toString()).contains("get_invoice").contains("[hidden]").doesNotContain("\\\"invoice_id\\\"");
        assertThat(serve.stop()).as("exit code; %s", serve.err()).isZero();
    }

    @Test
    void without_a_worker_runs_started_over_http_are_recorded_for_workers_elsewhere() throws Exception {
        Serving serve = new Serving(Map.of(), "serve", "--port", "0", "--no-worker");
        assertThat(serve.out()).contains("no worker here");

        Answer started = call(serve.url, "POST", "/api/desks/support/runs", null, "{\"input\": \"hello\"}");
        assertThat(started.status()).isEqualTo(201);
        Thread.sleep(300);
        assertThat(call(serve.url, "GET", "/api/runs/" + started.body().get("id").asText(), null, null).body().get("status").asText())
                .isEqualTo("running");
        assertThat(serve.stop()).isZero();
    }

    @Test
    void a_port_out_of_range_or_in_use_is_one_line_on_stderr() throws Exception {
        Cli.inProcess(dir, "", "serve", "--port", "70000").failsWithOneLine("--port is 0 to 65535");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Cli.inProcess(dir, "", "serve", "--port", Integer.toString(taken.getLocalPort()))
                    .failsWithOneLine("could not listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }
}
