package dev.baton.server;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.testing.ScriptedModel;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class MetricsApiTest {
    BatonServer server;
    Http http;

    void serve(ScriptedModel model) {
        server = Desk.server(model)
                .desk("support", Desk.triage())
                .desk("refunds", Desk.billing())
                .build()
                .start();
        http = new Http(server);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    String run(String desk, String input) {
        Http.Answer started = http.post("/api/desks/" + desk + "/runs", "{\"input\": \"" + input + "\"}");
        assertThat(started.status()).as(started.body().toString()).isEqualTo(201);
        String id = started.body().get("id").asText();
        http.awaitEnd(id);
        return id;
    }

    @Test
    void a_new_server_has_no_runs_and_no_latency_yet() {
        serve(ScriptedModel.create());

        Http.Answer metrics = http.get("/api/metrics");

        assertThat(metrics.status()).isEqualTo(200);
        JsonNode m = metrics.body();
        assertThat(m.get("runs").toString())
                .isEqualTo("{\"running\":0,\"paused\":0,\"completed\":0,\"failed\":0,\"cancelled\":0}");
        assertThat(m.get("inFlight").asInt()).isZero();
        assertThat(m.get("pendingApprovals").asInt()).isZero();
        assertThat(m.get("window").get("runs").asInt()).isZero();
        assertThat(m.get("modelLatencyMs").get("calls").asInt()).isZero();
        assertThat(m.get("modelLatencyMs").get("p50").isNull()).isTrue();
        assertThat(m.get("modelLatencyMs").get("p95").isNull()).isTrue();
    }

    @Test
    void runs_are_counted_by_status_with_pending_approvals_and_the_latency_of_their_model_calls() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"))
                .forAgent("billing", reply("Refund initiated."), callTool("issue_refund", new Desk.Refund("A-1")));
        serve(model);
        run("support", "charged twice");
        run("refunds", "refund A-1");

        JsonNode m = http.get("/api/metrics").body();

        assertThat(m.get("runs").get("completed").asInt()).isEqualTo(1);
        assertThat(m.get("runs").get("paused").asInt()).isEqualTo(1);
        assertThat(m.get("runs").get("running").asInt()).isZero();
        assertThat(m.get("inFlight").asInt()).isZero();
        assertThat(m.get("pendingApprovals").asInt()).isEqualTo(1);
        assertThat(m.get("window").get("runs").asInt()).isEqualTo(2);
        assertThat(m.get("window").get("maxRuns").asInt()).isEqualTo(MetricsApi.RUN_WINDOW);
        JsonNode latency = m.get("modelLatencyMs");
        assertThat(latency.get("calls").asInt()).isEqualTo(model.callCount()).isEqualTo(3);
        assertThat(latency.get("p50").asLong()).isNotNegative().isLessThanOrEqualTo(latency.get("p95").asLong());
    }

    @Test
    void percentiles_are_nearest_rank_over_the_sorted_latencies() {
        List<Long> sorted = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 100L);

        assertThat(MetricsApi.percentile(sorted, 50)).isEqualTo(10L);
        assertThat(MetricsApi.percentile(sorted, 95)).isEqualTo(19L);
        assertThat(MetricsApi.percentile(List.of(7L), 95)).isEqualTo(7L);
        assertThat(MetricsApi.percentile(List.of(), 50)).isNull();
    }
}
