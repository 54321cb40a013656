package dev.baton.server;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.Agent;
import dev.baton.testing.ScriptedModel;
import dev.baton.tool.Tool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class RunsApiTest {
    BatonServer server;
    Http http;

    /** A server whose support desk answers {@code runs} runs: triage hands each to billing, which answers. */
    void serve(int runs) {
        ScriptedModel model = ScriptedModel.create();
        for (int i = 0; i < runs; i++) {
            model.forAgent("triage", handoffTo("billing")).forAgent("billing", reply("Refund initiated."));
        }
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

    String start(String desk, String body) {
        Http.Answer started = http.post("/api/desks/" + desk + "/runs", body);
        assertThat(started.status()).as(started.body().toString()).isEqualTo(201);
        return started.body().get("id").asText();
    }

    @Test
    void a_run_started_over_http_is_answered_with_201_and_where_to_find_it() {
        serve(1);

        Http.Answer started = http.post("/api/desks/support/runs", "{\"input\": \"I was charged twice\"}");

        assertThat(started.status()).isEqualTo(201);
        JsonNode run = started.body();
        String id = run.get("id").asText();
        assertThat(id).isNotBlank();
        assertThat(started.headers().firstValue("Location")).hasValue("/api/runs/" + id);
        assertThat(run.get("desk").asText()).isEqualTo("support");
        assertThat(run.get("startAgent").asText()).isEqualTo("triage");
        assertThat(run.get("status").asText()).isIn("running", "completed");
        assertThat(run.get("session").isNull()).isTrue();
    }

    @Test
    void a_run_started_over_http_completes_and_shows_its_path_output_and_usage() {
        serve(1);
        String id = start("support", "{\"input\": \"I was charged twice\"}");

        JsonNode run = http.awaitEnd(id);

        assertThat(run.get("status").asText()).isEqualTo("completed");
        assertThat(run.get("output").asText()).isEqualTo("Refund initiated.");
        assertThat(run.get("error").isNull()).isTrue();
        assertThat(run.get("startAgent").asText()).isEqualTo("triage");
        assertThat(run.get("currentAgent").asText()).isEqualTo("billing");
        assertThat(run.get("path").toString()).isEqualTo("[\"triage\",\"billing\"]");
        assertThat(run.get("usage").get("requests").asLong()).isEqualTo(2);
        assertThat(run.get("usage").get("totalTokens").asLong()).isGreaterThanOrEqualTo(0);
        Instant created = Instant.parse(run.get("createdAt").asText());
        Instant updated = Instant.parse(run.get("updatedAt").asText());
        assertThat(updated).isAfterOrEqualTo(created);
        assertThat(run.get("durationMs").asLong()).isEqualTo(updated.toEpochMilli() - created.toEpochMilli());
    }

    @Test
    void the_events_of_a_run_are_read_over_http_in_order_and_from_a_sequence_number() {
        serve(1);
        String id = start("support", "{\"input\": \"I was charged twice\"}");
        http.awaitEnd(id);

        Http.Answer all = http.get("/api/runs/" + id + "/events");

        assertThat(all.status()).isEqualTo(200);
        JsonNode events = all.body().get("events");
        List<String> types = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            assertThat(e.get("seq").asLong()).isEqualTo(i);
            assertThat(Instant.parse(e.get("at").asText())).isNotNull();
            assertThat(e.get("data").isObject()).isTrue();
            types.add(e.get("type").asText() + "@" + e.get("agent").asText());
        }
        assertThat(types).contains("HandoffOccurred@triage").last().asString().endsWith("@billing");
        assertThat(all.body().get("next").asLong()).isEqualTo(events.size());

        Http.Answer tail = http.get("/api/runs/" + id + "/events?from=" + (events.size() - 1));
        assertThat(tail.body().get("events")).hasSize(1);
        assertThat(tail.body().get("events").get(0)).isEqualTo(events.get(events.size() - 1));
        assertThat(http.get("/api/runs/" + id + "/events?from=" + events.size()).body().get("events")).isEmpty();
    }

    @Test
    void a_run_on_a_session_says_so_and_is_found_by_its_session() {
        serve(2);
        String onSession = start("support", "{\"input\": \"I was charged twice\", \"session\": \"ticket-42\"}");
        String without = start("support", "{\"input\": \"Hello\"}");
        http.awaitEnd(onSession);
        http.awaitEnd(without);

        assertThat(http.get("/api/runs/" + onSession).body().get("session").asText()).isEqualTo("ticket-42");
        assertThat(ids(http.get("/api/runs?session=ticket-42"))).containsExactly(onSession);
    }

    @Test
    void runs_are_listed_newest_first_and_filtered_by_desk_status_and_agent() {
        serve(3);
        String first = start("support", "{\"input\": \"one\"}");
        http.awaitEnd(first);
        String second = start("support", "{\"input\": \"two\"}");
        http.awaitEnd(second);
        String refund = start("refunds", "{\"input\": \"three\"}");
        http.awaitEnd(refund);

        assertThat(ids(http.get("/api/runs"))).containsExactly(refund, second, first);
        assertThat(ids(http.get("/api/runs?desk=support"))).containsExactly(second, first);
        assertThat(ids(http.get("/api/runs?desk=refunds"))).containsExactly(refund);
        assertThat(ids(http.get("/api/runs?status=completed"))).hasSize(3);
        assertThat(ids(http.get("/api/runs?status=failed,cancelled"))).isEmpty();
        assertThat(ids(http.get("/api/runs?agent=triage"))).containsExactly(second, first);
        assertThat(ids(http.get("/api/runs?agent=billing"))).containsExactly(refund, second, first);
    }

    @Test
    void runs_are_paged_with_a_limit_and_the_next_cursor() {
        serve(3);
        List<String> started = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = start("support", "{\"input\": \"run " + i + "\"}");
            http.awaitEnd(id);
            started.add(0, id);
        }

        Http.Answer page1 = http.get("/api/runs?limit=2");
        assertThat(ids(page1)).containsExactly(started.get(0), started.get(1));
        String next = page1.body().get("next").asText();
        assertThat(next).isEqualTo(started.get(1));
        Http.Answer page2 = http.get("/api/runs?limit=2&after=" + next);
        assertThat(ids(page2)).containsExactly(started.get(2));
        assertThat(page2.body().get("next").isNull()).as("the last page has no next").isTrue();
        assertThat(http.get("/api/runs?after=run_nope").status()).isEqualTo(400);
    }

    @Test
    void a_running_run_is_cancelled_and_a_second_cancel_is_a_conflict() throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Tool<Void> slow = Tool.<Void, Desk.Refund>of("wait_for_bank", "Wait for the bank.", Desk.Refund.class, (ctx, r) -> {
            entered.countDown();
            release.await(30, TimeUnit.SECONDS);
            return "the bank answered";
        });
        Agent<Void> waiter = Agent.<Void>builder("waiter").tools(slow).build();
        ScriptedModel model = ScriptedModel.create().forAgent("waiter", callTool("wait_for_bank", new Desk.Refund("A-1")), reply("Done."));
        server = Desk.server(model)
                .desk("bank", waiter)
                .build()
                .start();
        http = new Http(server);
        try {
            String id = start("bank", "{\"input\": \"Where is my money?\"}");
            assertThat(entered.await(10, TimeUnit.SECONDS)).as("the run reached its tool").isTrue();

            Http.Answer cancelled = http.post("/api/runs/" + id + "/cancel", "");
            assertThat(cancelled.status()).isEqualTo(200);
            assertThat(cancelled.body().get("id").asText()).isEqualTo(id);
            assertThat(cancelled.body().get("status").asText()).isEqualTo("cancelled");
            assertThat(http.get("/api/runs/" + id).body().get("status").asText()).isEqualTo("cancelled");

            Http.Answer again = http.post("/api/runs/" + id + "/cancel", "");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.body().get("error").get("type").asText()).isEqualTo("conflict");
            assertThat(again.body().get("error").get("message").asText()).contains(id).contains("cancelled");
        } finally {
            release.countDown();
        }
    }

    @Test
    void cancelling_a_completed_run_is_a_conflict() {
        serve(1);
        String id = start("support", "{\"input\": \"I was charged twice\"}");
        http.awaitEnd(id);

        Http.Answer cancel = http.post("/api/runs/" + id + "/cancel", "");

        assertThat(cancel.status()).isEqualTo(409);
        assertThat(cancel.body().get("error").get("message").asText()).contains("completed");
        assertThat(http.get("/api/runs/" + id).body().get("status").asText()).isEqualTo("completed");
    }

    private static List<String> ids(Http.Answer list) {
        assertThat(list.status()).as(list.body().toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        list.body().get("runs").forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }
}
