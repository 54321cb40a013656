package dev.baton.server;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.item.ToolOutput;
import dev.baton.testing.ScriptedModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class ApprovalsApiTest {
    ScriptedModel model;
    BatonServer server;
    Http http;

    /** The refunds desk: billing asks to refund order A-1, which needs approval, then answers. */
    @BeforeEach
    void serve() {
        model = ScriptedModel.create().forAgent("billing", callTool("issue_refund", new Desk.Refund("A-1")), reply("Refund done."));
        server = Desk.server(model)
                .desk("refunds", Desk.billing())
                .build()
                .start();
        http = new Http(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Starts a run that pauses on the refund; returns its id and the call id it waits for. */
    String[] pausedRun() {
        Http.Answer started = http.post("/api/desks/refunds/runs", "{\"input\": \"Refund order A-1 please\"}");
        assertThat(started.status()).as(started.body().toString()).isEqualTo(201);
        String id = started.body().get("id").asText();
        assertThat(http.awaitEnd(id).get("status").asText()).isEqualTo("paused");
        JsonNode approvals = http.get("/api/runs/" + id + "/approvals").body().get("approvals");
        assertThat(approvals).hasSize(1);
        return new String[] {id, approvals.get(0).get("callId").asText()};
    }

    /** Billing refunds two orders, one turn after the other; each refund needs approval. */
    String[] runRefundingTwice(String desk) {
        server.close();
        model = ScriptedModel.create().forAgent("billing", callTool("issue_refund", new Desk.Refund("A-1")),
                callTool("issue_refund", new Desk.Refund("A-2")), reply("Both refunded."));
        server = Desk.server(model).desk(desk, Desk.billing()).build().start();
        http = new Http(server);
        String id = http.post("/api/desks/" + desk + "/runs", "{\"input\": \"Refund A-1 and A-2\"}").body().get("id").asText();
        assertThat(http.awaitEnd(id).get("status").asText()).isEqualTo("paused");
        return new String[] {id, http.get("/api/runs/" + id + "/approvals").body().get("approvals").get(0).get("callId").asText()};
    }

    @Test
    void approving_always_lets_the_tools_later_calls_in_the_run_go_without_asking() {
        String[] run = runRefundingTwice("refunds");

        Http.Answer decided = http.post("/api/runs/" + run[0] + "/approvals/" + run[1],
                "{\"decision\": \"approve\", \"always\": true, \"by\": \"Dana <lead>\"}");

        assertThat(decided.status()).as(decided.body().toString()).isEqualTo(200);
        assertThat(decided.body().get("always").asBoolean()).isTrue();
        assertThat(decided.body().get("decidedBy").asText()).isEqualTo("Dana <lead>");
        JsonNode end = http.awaitEnd(run[0]);
        assertThat(end.get("status").asText()).isEqualTo("completed");
        assertThat(http.get("/api/runs/" + run[0] + "/approvals").body().get("approvals")).hasSize(1);
        assertThat(http.get("/api/runs/" + run[0] + "/events").body().toString()).contains("refunded A-1").contains("refunded A-2");
        assertThat(http.page("/ui/runs/" + run[0])).contains("approved by Dana &lt;lead&gt; · for the tool's later calls too");
    }

    @Test
    void approving_once_asks_again_for_the_tools_next_call() {
        String[] run = runRefundingTwice("refunds");

        http.post("/api/runs/" + run[0] + "/approvals/" + run[1], "{\"decision\": \"approve\"}");

        assertThat(http.awaitEnd(run[0]).get("status").asText()).isEqualTo("paused");
        JsonNode approvals = http.get("/api/runs/" + run[0] + "/approvals").body().get("approvals");
        assertThat(approvals).hasSize(2);
        assertThat(approvals.get(0).get("always").asBoolean()).isFalse();
        assertThat(approvals.get(1).get("status").asText()).isEqualTo("pending");
    }

    @Test
    void a_call_that_needs_approval_pauses_the_run_and_is_listed_as_pending_with_its_context() {
        String[] run = pausedRun();

        Http.Answer pending = http.get("/api/approvals");

        assertThat(pending.status()).isEqualTo(200);
        assertThat(pending.body().get("approvals")).hasSize(1);
        JsonNode a = pending.body().get("approvals").get(0);
        assertThat(a.get("runId").asText()).isEqualTo(run[0]);
        assertThat(a.get("callId").asText()).isEqualTo(run[1]);
        assertThat(a.get("desk").asText()).isEqualTo("refunds");
        assertThat(a.get("agent").asText()).isEqualTo("billing");
        assertThat(a.get("tool").asText()).isEqualTo("issue_refund");
        assertThat(a.get("arguments").path("order_id").asText()).as(a.toString()).isEqualTo("A-1");
        assertThat(a.get("status").asText()).isEqualTo("pending");
        assertThat(a.get("requestedAt").asText()).isNotBlank();
        assertThat(a.get("decidedAt").isNull()).isTrue();
        assertThat(a.get("context").get("input").asText()).isEqualTo("Refund order A-1 please");
        assertThat(a.get("context").get("currentAgent").asText()).isEqualTo("billing");
        assertThat(a.get("context").get("runStatus").asText()).isEqualTo("paused");
        assertThat(http.get("/api/runs/" + run[0] + "/approvals").body().get("approvals").get(0)).isEqualTo(a);
    }

    @Test
    void approving_over_http_lets_the_run_complete() {
        String[] run = pausedRun();

        Http.Answer decided = http.post("/api/runs/" + run[0] + "/approvals/" + run[1], "{\"decision\": \"approve\"}");

        assertThat(decided.status()).as(decided.body().toString()).isEqualTo(200);
        assertThat(decided.body().get("status").asText()).isEqualTo("approved");
        assertThat(decided.body().get("decidedAt").asText()).isNotBlank();
        JsonNode done = http.awaitEnd(run[0]);
        assertThat(done.get("status").asText()).isEqualTo("completed");
        assertThat(done.get("output").asText()).isEqualTo("Refund done.");
        assertThat(toolOutputs()).containsExactly("refunded A-1");
        assertThat(http.get("/api/approvals").body().get("approvals")).isEmpty();
        assertThat(http.get("/api/runs/" + run[0] + "/approvals").body().get("approvals").get(0).get("status").asText())
                .isEqualTo("approved");
    }

    @Test
    void rejecting_over_http_makes_the_model_read_the_rejection_instead_of_the_tool_output() {
        String[] run = pausedRun();

        Http.Answer decided = http.post("/api/runs/" + run[0] + "/approvals/" + run[1],
                "{\"decision\": \"reject\", \"message\": \"Refunds over 100 EUR need a manager.\", \"always\": false}");

        assertThat(decided.status()).as(decided.body().toString()).isEqualTo(200);
        assertThat(decided.body().get("status").asText()).isEqualTo("rejected");
        assertThat(decided.body().get("message").asText()).isEqualTo("Refunds over 100 EUR need a manager.");
        assertThat(http.awaitEnd(run[0]).get("status").asText()).isEqualTo("completed");
        assertThat(toolOutputs()).singleElement().asString()
                .contains("Refunds over 100 EUR need a manager.")
                .doesNotContain("refunded A-1");
    }

    @Test
    void deciding_a_call_twice_is_a_conflict() {
        String[] run = pausedRun();
        assertThat(http.post("/api/runs/" + run[0] + "/approvals/" + run[1], "{\"decision\": \"approve\"}").status()).isEqualTo(200);

        Http.Answer again = http.post("/api/runs/" + run[0] + "/approvals/" + run[1], "{\"decision\": \"reject\"}");

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().get("error").get("type").asText()).isEqualTo("conflict");
        assertThat(again.body().get("error").get("message").asText()).contains(run[1]).contains("approved");
    }

    @Test
    void an_unknown_run_or_call_is_not_found() {
        String[] run = pausedRun();

        Http.Answer noRun = http.post("/api/runs/no-such-run/approvals/" + run[1], "{\"decision\": \"approve\"}");
        Http.Answer noCall = http.post("/api/runs/" + run[0] + "/approvals/call_nope", "{\"decision\": \"approve\"}");
        Http.Answer listNoRun = http.get("/api/runs/no-such-run/approvals");

        assertThat(noRun.status()).isEqualTo(404);
        assertThat(noRun.body().get("error").get("message").asText()).contains("no-such-run");
        assertThat(noCall.status()).isEqualTo(404);
        assertThat(noCall.body().get("error").get("message").asText()).contains("call_nope");
        assertThat(listNoRun.status()).isEqualTo(404);
        assertThat(http.get("/api/runs/" + run[0]).body().get("status").asText()).isEqualTo("paused");
    }

    @Test
    void a_bad_decision_is_refused_and_leaves_the_call_pending() {
        String[] run = pausedRun();
        String path = "/api/runs/" + run[0] + "/approvals/" + run[1];

        assertBadRequest(http.post(path, "{\"decision\": \"maybe\"}"), "decision");
        assertBadRequest(http.post(path, "{}"), "decision");
        assertBadRequest(http.post(path, "{\"decision\": \"reject\", \"message\": 42}"), "message");
        assertBadRequest(http.post(path, "{\"decision\": \"approve\", \"always\": \"yes\"}"), "always");
        assertThat(http.post(path, "{\"decision\": ").status()).isEqualTo(400);
        assertThat(http.method("GET", path).status()).isEqualTo(405);

        assertThat(http.get("/api/approvals").body().get("approvals").get(0).get("status").asText()).isEqualTo("pending");
    }

    @Test
    void the_pending_list_is_bounded_by_its_limit() {
        assertThat(http.get("/api/approvals?limit=0").status()).isEqualTo(400);
        assertThat(http.get("/api/approvals?limit=1001").status()).isEqualTo(400);
        assertThat(http.get("/api/approvals?limit=1").body().get("approvals")).isEmpty();
    }

    private static void assertBadRequest(Http.Answer answer, String mentioning) {
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(400);
        assertThat(answer.body().get("error").get("type").asText()).isEqualTo("bad_request");
        assertThat(answer.body().get("error").get("message").asText()).contains(mentioning);
    }

    /** The tool outputs the model read on its last call. */
    private List<String> toolOutputs() {
        List<String> outputs = new ArrayList<>();
        model.lastRequest().input().stream().filter(ToolOutput.class::isInstance).map(i -> ((ToolOutput) i).output()).forEach(outputs::add);
        return outputs;
    }
}
