package dev.baton.server;

import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.UserError;
import dev.baton.durable.DurableWorker;
import dev.baton.durable.InMemoryRunStore;
import dev.baton.durable.RunStatus;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.testing.ScriptedModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class TokenApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    BatonServer server;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static BatonServer.Builder support() {
        return BatonServer.builder()
                .desk("support", Desk.triage())
                .runner(Runner.create(RunConfig.builder().defaultModel(ScriptedModel.create()).build()))
                .port(0);
    }

    record Answer(int status, JsonNode body, java.net.http.HttpHeaders headers) {}

    Answer call(String method, String path, @Nullable String authorization, @Nullable String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? JSON.missingNode() : JSON.readTree(response.body());
        return new Answer(response.statusCode(), json, response.headers());
    }

    @Test
    void on_loopback_without_a_token_requests_need_no_authorization() throws Exception {
        server = support().build().start();

        assertThat(server.requiresToken()).isFalse();
        assertThat(call("GET", "/api/health", null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/api/desks", null, null).status()).isEqualTo(200);
    }

    @Test
    void with_a_token_a_request_without_it_gets_401_in_the_error_shape() throws Exception {
        server = support().token("s3cret-token").build().start();

        Answer missing = call("GET", "/api/desks", null, null);

        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.body().at("/error/type").asText()).isEqualTo("unauthorized");
        assertThat(missing.body().at("/error/message").asText()).contains("Authorization: Bearer");
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        assertThat(missing.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    }

    @Test
    void with_a_token_a_wrong_token_or_another_scheme_gets_401() throws Exception {
        server = support().token("s3cret-token").build().start();

        assertThat(call("GET", "/api/health", "Bearer s3cret-tokeN", null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/health", "Bearer s3cret", null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/health", "Bearer ", null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/health", "Basic s3cret-token", null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/health", "s3cret-token", null).status()).isEqualTo(401);
        Answer refused = call("POST", "/api/desks/support/runs", "Bearer wrong", "{\"input\": \"hello\"}");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.body().at("/error/message").asText()).contains("wrong");
    }

    @Test
    void with_a_token_the_right_token_is_served_on_every_endpoint() throws Exception {
        server = support().token("s3cret-token").build().start();

        assertThat(server.requiresToken()).isTrue();
        assertThat(server.generatedToken()).isEmpty();
        assertThat(call("GET", "/api/health", "Bearer s3cret-token", null).status()).isEqualTo(200);
        assertThat(call("GET", "/api/desks", "bearer s3cret-token", null).status()).isEqualTo(200);
        assertThat(call("POST", "/api/desks/support/runs", "Bearer s3cret-token", "{\"input\": \"hello\"}").status()).isEqualTo(201);
        assertThat(call("GET", "/api/nothing-here", "Bearer s3cret-token", null).status()).isEqualTo(404);
    }

    @Test
    void no_cors_headers_are_sent() throws Exception {
        server = support().build().start();

        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/desks"))
                .header("Origin", "https://evil.example").GET().build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
    }

    @Test
    void listening_on_a_non_loopback_address_without_a_token_fails_at_start_saying_why() {
        BatonServer unsafe = support().host("0.0.0.0").build();

        assertThatThrownBy(unsafe::start)
                .isInstanceOf(UserError.class)
                .hasMessageContaining("0.0.0.0")
                .hasMessageContaining("not a loopback address")
                .hasMessageContaining("token");
        assertThatThrownBy(unsafe::port).isInstanceOf(UserError.class);
    }

    @Test
    void a_port_in_use_fails_at_start_saying_so() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            BatonServer second = support().port(taken.getLocalPort()).build();

            assertThatThrownBy(second::start).isInstanceOf(UserError.class)
                    .hasMessageContaining("could not listen on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("in use");
        }
    }

    @Test
    void a_configured_token_may_be_blank_or_hold_spaces_neither() {
        assertThatThrownBy(() -> BatonServer.builder().token(" ")).isInstanceOf(UserError.class);
        assertThatThrownBy(() -> BatonServer.builder().token("two words")).isInstanceOf(UserError.class);
    }

    @Test
    void a_token_file_gets_a_generated_token_on_first_start_readable_by_its_owner_only_and_a_restart_keeps_it() throws Exception {
        Path file = dir.resolve("state/server-token");
        server = support().host("0.0.0.0").tokenFile(file).build().start();

        String token = server.generatedToken().orElseThrow();
        assertThat(token).matches("[0-9a-f]{64}");
        assertThat(Files.readString(file).strip()).isEqualTo(token);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(call("GET", "/api/health", null, null).status()).isEqualTo(401);
        assertThat(call("GET", "/api/health", "Bearer " + token, null).status()).isEqualTo(200);
        server.close();

        server = support().host("0.0.0.0").tokenFile(file).build().start();

        assertThat(server.generatedToken()).as("the token is shown once, when generated").isEmpty();
        assertThat(server.requiresToken()).isTrue();
        assertThat(call("GET", "/api/health", "Bearer " + token, null).status()).isEqualTo(200);
    }

    @Test
    void without_a_worker_the_server_records_runs_for_a_worker_elsewhere_and_serves_what_it_records() throws Exception {
        InMemoryRunStore store = new InMemoryRunStore();
        server = BatonServer.builder().desk("support", Desk.triage()).store(store).worker(false).port(0).build().start();
        assertThatThrownBy(server::worker).isInstanceOf(UserError.class).hasMessageContaining("no worker");

        Answer started = call("POST", "/api/desks/support/runs", null, "{\"input\": \"hello\"}");
        assertThat(started.status()).isEqualTo(201);
        String id = started.body().get("id").asText();
        Thread.sleep(200);
        assertThat(call("GET", "/api/runs/" + id, null, null).body().get("status").asText())
                .as("nobody in this process executes it").isEqualTo("running");

        ScriptedModel model = ScriptedModel.create().forAgent("triage", reply("Hello, how can I help?"));
        try (DurableWorker elsewhere = DurableWorker.builder(Runner.create(RunConfig.builder().defaultModel(model).build()), store)
                .application("support", Desk.triage())
                .pollInterval(Duration.ofMillis(50))
                .build()
                .start()) {
            assertThat(elsewhere.attach(id).result().status()).isEqualTo(RunStatus.COMPLETED);
        }
        JsonNode run = call("GET", "/api/runs/" + id, null, null).body();
        assertThat(run.get("status").asText()).isEqualTo("completed");
        assertThat(run.get("output").asText()).isEqualTo("Hello, how can I help?");
    }
}
