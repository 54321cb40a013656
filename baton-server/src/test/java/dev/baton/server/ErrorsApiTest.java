package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.ScriptedModel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class ErrorsApiTest {
    static final int BODY_LIMIT = 4096;
    static BatonServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = Desk.server(ScriptedModel.create())
                .desk("support", Desk.triage())
                .maxBodyBytes(BODY_LIMIT)
                .build()
                .start();
        http = new Http(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The answer has the status and a JSON error of the type, with a message naming {@code mentioned}. */
    static void assertError(Http.Answer answer, int status, String type, String mentioned) {
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(status);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(answer.body().get("error").get("type").asText()).isEqualTo(type);
        assertThat(answer.body().get("error").get("message").asText()).contains(mentioned);
    }

    @Test
    void an_unknown_desk_is_404() {
        assertError(http.get("/api/desks/sales"), 404, "not_found", "sales");
        assertError(http.post("/api/desks/sales/runs", "{\"input\": \"hi\"}"), 404, "not_found", "sales");
    }

    @Test
    void an_unknown_run_is_404_for_each_of_its_endpoints() {
        assertError(http.get("/api/runs/no-such-run"), 404, "not_found", "no-such-run");
        assertError(http.get("/api/runs/no-such-run/events"), 404, "not_found", "no-such-run");
        assertError(http.post("/api/runs/no-such-run/cancel", ""), 404, "not_found", "no-such-run");
    }

    @Test
    void an_unknown_path_is_404() {
        assertError(http.get("/api/nothing-here"), 404, "not_found", "/api/nothing-here");
        assertError(http.get("/nothing-here"), 404, "not_found", "GET /nothing-here");
    }

    @Test
    void malformed_json_is_400() {
        assertError(http.post("/api/desks/support/runs", "{\"input\": "), 400, "invalid_json", "not valid JSON");
        assertError(http.post("/api/desks/support/runs", ""), 400, "invalid_json", "JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\"hi\"]", "\"hi\"", "42"})
    void a_body_that_is_not_a_json_object_is_400(String body) {
        assertError(http.post("/api/desks/support/runs", body), 400, "invalid_json", "JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"input\": null}", "{\"session\": \"ticket-42\"}"})
    void a_run_without_input_is_400(String body) {
        assertError(http.post("/api/desks/support/runs", body), 400, "bad_request", "'input' is required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"input\": \"\"}", "{\"input\": \"   \"}", "{\"input\": 42}", "{\"input\": [\"hi\"]}"})
    void a_blank_or_non_text_input_is_400(String body) {
        assertError(http.post("/api/desks/support/runs", body), 400, "bad_request", "'input' must be a non-blank string");
    }

    @Test
    void a_blank_or_non_text_session_is_400() {
        assertError(http.post("/api/desks/support/runs", "{\"input\": \"hi\", \"session\": \" \"}"), 400, "bad_request", "'session'");
        assertError(http.post("/api/desks/support/runs", "{\"input\": \"hi\", \"session\": 7}"), 400, "bad_request", "'session'");
    }

    @Test
    void refused_requests_start_no_run() {
        int before = http.get("/api/runs?limit=500").body().get("runs").size();

        http.post("/api/desks/support/runs", "{}");
        http.post("/api/desks/support/runs", "{\"input\": ");
        http.post("/api/desks/support/runs", ("{\"input\": \"" + "x".repeat(BODY_LIMIT) + "\"}").getBytes(StandardCharsets.UTF_8));

        assertThat(http.get("/api/runs?limit=500").body().get("runs")).hasSize(before);
    }

    @Test
    void a_body_over_the_limit_is_413() {
        String big = "{\"input\": \"" + "x".repeat(BODY_LIMIT) + "\"}";

        assertError(http.post("/api/desks/support/runs", big.getBytes(StandardCharsets.UTF_8)), 413, "payload_too_large",
                String.valueOf(BODY_LIMIT));
        assertThat(http.get("/api/health").status()).as("the server still answers").isEqualTo(200);
    }

    @Test
    void a_body_at_the_limit_is_read() {
        String prefix = "{\"input\": \"";
        String suffix = "\"}";
        String exact = prefix + "x".repeat(BODY_LIMIT - prefix.length() - suffix.length()) + suffix;

        Http.Answer answer = http.post("/api/desks/support/runs", exact.getBytes(StandardCharsets.UTF_8));

        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(201);
        server.worker().client().attach(answer.body().get("id").asText()).cancel();
    }

    @Test
    void a_wrong_method_is_405_with_the_allowed_one() {
        Http.Answer delete = http.method("DELETE", "/api/runs");
        assertError(delete, 405, "method_not_allowed", "DELETE");
        assertThat(delete.headers().firstValue("Allow")).hasValue("GET");

        Http.Answer list = http.get("/api/desks/support/runs");
        assertError(list, 405, "method_not_allowed", "POST");
        assertThat(list.headers().firstValue("Allow")).hasValue("POST");

        assertError(http.method("GET", "/api/runs/any/cancel"), 405, "method_not_allowed", "POST");
        assertError(http.post("/api/health", "{}"), 405, "method_not_allowed", "GET");
        assertError(http.method("PUT", "/api/desks"), 405, "method_not_allowed", "GET");
    }

    @Test
    void bad_list_parameters_are_400() {
        assertError(http.get("/api/runs?status=sleeping"), 400, "bad_request", "sleeping");
        assertError(http.get("/api/runs?limit=0"), 400, "bad_request", "'limit'");
        assertError(http.get("/api/runs?limit=501"), 400, "bad_request", "'limit'");
        assertError(http.get("/api/runs?limit=ten"), 400, "bad_request", "'limit'");
        assertError(http.get("/api/runs?before=yesterday"), 400, "bad_request", "'before'");
    }

    @Test
    void a_negative_event_offset_is_400() {
        String id = http.post("/api/desks/support/runs", "{\"input\": \"hi\"}").body().get("id").asText();
        try {
            assertError(http.get("/api/runs/" + id + "/events?from=-1"), 400, "bad_request", "'from'");
        } finally {
            server.worker().client().attach(id).cancel();
        }
    }
}
