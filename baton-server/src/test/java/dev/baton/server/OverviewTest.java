package dev.baton.server;

import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.Agent;
import dev.baton.durable.ForwardingRunStore;
import dev.baton.durable.InMemoryRunStore;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.handoff.Handoff;
import dev.baton.testing.ScriptedModel;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class OverviewTest {
    /** The entry agent of the vip desk: its name is markup, which every page must show as text. */
    static final String FRONT = "front <b>desk</b>";
    static final String FRONT_ESCAPED = "front &lt;b&gt;desk&lt;/b&gt;";

    final WebUiTest ui = new WebUiTest();

    @AfterEach
    void stop() {
        ui.stop();
    }

    /** Two support runs (triage hands off to billing) and one vip run (the front desk hands off to billing), all completed. */
    void serveThreeRunsWithHandoffs() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"), handoffTo("billing"))
                .forAgent(FRONT, handoffTo("billing"))
                .forAgent("billing", reply("Done one."), reply("Done two."), reply("Done three."));
        Agent<Void> front = Agent.<Void>builder(FRONT).instructions("Welcome VIPs.").handoffs(Handoff.to(Desk.billing())).build();
        ui.server = Desk.server(model).desk("support", Desk.triage()).desk("vip", front).build().start();
        ui.http = new Http(ui.server);
        ui.finishedRun("I was charged twice");
        ui.finishedRun("Where is my refund?");
        String vip = ui.http.post("/api/desks/vip/runs", "{\"input\": \"VIP here\"}").body().get("id").asText();
        assertThat(ui.http.awaitEnd(vip).get("status").asText()).isEqualTo("completed");
    }

    @Test
    void the_overview_api_counts_runs_durations_tokens_and_handoffs_per_desk() {
        serveThreeRunsWithHandoffs();

        JsonNode all = ui.http.get("/api/overview").body();

        assertThat(all.get("minutes").asInt()).isEqualTo(60);
        assertThat(all.get("window").get("runs").asInt()).isEqualTo(3);
        assertThat(all.get("window").get("maxRuns").asInt()).isEqualTo(2000);
        assertThat(all.get("window").get("truncated").asBoolean()).isFalse();
        assertThat(all.get("runsOverTime").get("bucketMinutes").asInt()).isEqualTo(1);
        assertThat(all.get("runsOverTime").get("buckets")).hasSize(60);
        assertThat(sum(all.get("runsOverTime").get("buckets"), "completed")).isEqualTo(3);
        assertThat(sum(all.get("runsOverTime").get("buckets"), "failed")).isZero();
        JsonNode durations = all.get("durationMs");
        assertThat(durations.get("completedRuns").asInt()).isEqualTo(3);
        assertThat(durations.get("p50").isIntegralNumber()).isTrue();
        assertThat(durations.get("p95").asLong()).isGreaterThanOrEqualTo(durations.get("p50").asLong());
        assertThat(durations.get("byDesk")).extracting(d -> d.get("desk").asText() + ":" + d.get("runs").asInt())
                .containsExactly("support:2", "vip:1");
        assertThat(durations.get("overTime").get("buckets")).hasSize(12);
        assertThat(sum(durations.get("overTime").get("buckets"), "runs")).isEqualTo(3);

        JsonNode handoffs = all.get("handoffs");
        assertThat(handoffs).hasSize(2);
        assertThat(handoffs.get(0).get("desk").asText()).isEqualTo("support");
        assertThat(handoffs.get(0).get("entryAgent").asText()).isEqualTo("triage");
        assertThat(handoffs.get(0).get("links")).extracting(JsonNode::toString)
                .containsExactly("{\"from\":\"triage\",\"to\":\"billing\",\"count\":2}");
        assertThat(handoffs.get(1).get("entryAgent").asText()).isEqualTo(FRONT);
        assertThat(handoffs.get(1).get("links").get(0).get("from").asText()).isEqualTo(FRONT);
        assertThat(handoffs.get(1).get("links").get(0).get("count").asInt()).isEqualTo(1);

        // Every model call's tokens go to the agent that made it, and together they are the runs' tokens.
        JsonNode tokens = all.get("tokensByAgent");
        assertThat(tokens).extracting(t -> t.get("agent").asText() + ":" + t.get("calls").asInt())
                .containsExactlyInAnyOrder("billing:3", "triage:2", FRONT + ":1");
        long runsTokens = sum(ui.http.get("/api/runs").body().get("runs"), "usage", "totalTokens");
        assertThat(runsTokens).isPositive();
        assertThat(sum(tokens, "tokens")).isEqualTo(runsTokens);
    }

    @Test
    void the_overview_api_narrows_to_a_desk_and_refuses_a_bad_window() {
        serveThreeRunsWithHandoffs();

        JsonNode support = ui.http.get("/api/overview?desk=support&minutes=1440").body();

        assertThat(support.get("desk").asText()).isEqualTo("support");
        assertThat(support.get("window").get("runs").asInt()).isEqualTo(2);
        assertThat(support.get("runsOverTime").get("bucketMinutes").asInt()).isEqualTo(24);
        assertThat(support.get("handoffs")).extracting(h -> h.get("desk").asText()).containsExactly("support");
        assertThat(support.get("tokensByAgent")).extracting(t -> t.get("agent").asText()).containsExactlyInAnyOrder("triage", "billing");
        assertThat(ui.http.get("/api/overview?minutes=1").status()).isEqualTo(400);
        assertThat(ui.http.get("/api/overview?minutes=soon").status()).isEqualTo(400);
        assertThat(ui.http.post("/api/overview", "{}").status()).isEqualTo(405);
    }

    @Test
    void the_overview_page_draws_each_chart_with_its_numbers_and_the_sankey_of_handoffs() {
        serveThreeRunsWithHandoffs();

        FormClient.Page page = ui.page("/ui/overview");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'"));
        String html = page.html();
        assertThat(html).contains("<h1>Overview</h1>").contains("3 runs created in the last hour on every desk")
                .contains("at most the latest 2,000 are counted");
        assertThat(html).contains("<svg class=\"chart columns runs-over-time\"", "<svg class=\"chart bars durations-by-desk\"",
                "<svg class=\"chart columns durations-over-time\"", "<svg class=\"chart bars tokens-by-agent\"", "<svg class=\"chart sankey\"");
        assertThat(WebUiTest.count(html, "<svg")).isEqualTo(6);
        assertThat(WebUiTest.count(html, "<title id=")).isEqualTo(6);
        // The Sankey: a band for triage → billing labelled with its count, and the same in the table below it.
        assertThat(html).contains("<title>triage → billing: 2 handoffs</title>")
                .contains("<tr><td>triage</td><td>billing</td><td class=\"num\">2</td></tr>")
                .contains("<tr><td>" + FRONT_ESCAPED + "</td><td>billing</td><td class=\"num\">1</td></tr>");
        assertThat(html).contains("<tr><td>billing</td>").contains("<tr><td>support</td><td class=\"num\">2</td>");
        // The agent whose name is markup is text everywhere: in the SVG labels, titles and tables.
        assertThat(html).contains("<title>" + FRONT_ESCAPED + " (entry agent): 0 in, 1 out</title>")
                .contains("<text class=\"name\"").contains(">" + FRONT_ESCAPED + "</text>")
                .doesNotContain("<b>desk</b>");
        // Nothing inline the policy would block, and no script but the UI's own.
        assertThat(html).doesNotContain("style=").doesNotContain("<style");
        assertThat(WebUiTest.count(html, "<script")).isEqualTo(1);
    }

    @Test
    void the_overview_page_has_a_desk_selector_and_shows_only_that_desks_runs() {
        serveThreeRunsWithHandoffs();

        String html = ui.page("/ui/overview?desk=vip&minutes=360").html();

        assertThat(html).contains("<option value=\"vip\" selected>vip</option>").contains("<option value=\"360\" selected>last 6 hours</option>")
                .contains("1 run created in the last 6 hours on desk vip")
                .contains("<tr><td>" + FRONT_ESCAPED + "</td><td>billing</td><td class=\"num\">1</td></tr>")
                .doesNotContain("<td>triage</td>");
        FormClient.Page bad = ui.page("/ui/overview?minutes=%3Cb%3E");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.html()).contains("&lt;b&gt;").doesNotContain("<b>");
    }

    @Test
    void an_empty_store_shows_a_friendly_empty_overview() {
        ui.server = Desk.server(ScriptedModel.create()).desk("support", Desk.triage()).build().start();
        ui.http = new Http(ui.server);

        FormClient.Page page = ui.page("/ui/overview");
        JsonNode json = ui.http.get("/api/overview").body();

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.html()).contains("<p class=\"empty\">No runs in the last hour yet.").contains("/ui/chat").doesNotContain("<svg");
        assertThat(json.get("window").get("runs").asInt()).isZero();
        assertThat(json.get("durationMs").get("p50").isNull()).isTrue();
        assertThat(json.get("tokensByAgent")).isEmpty();
        assertThat(json.get("handoffs")).isEmpty();
        assertThat(sum(json.get("runsOverTime").get("buckets"), "completed")).isZero();
    }

    @Test
    void many_looks_within_a_couple_of_seconds_read_the_store_once() {
        AtomicInteger windowReads = new AtomicInteger();
        ForwardingRunStore counting = new ForwardingRunStore(new InMemoryRunStore()) {
            @Override
            public List<RunRecord> listRuns(RunQuery query) {
                if (query.limit() == Overview.MAX_RUNS) {
                    windowReads.incrementAndGet();
                }
                return super.listRuns(query);
            }
        };
        ui.server = Desk.server(ScriptedModel.create()).store(counting).desk("support", Desk.triage()).build().start();
        ui.http = new Http(ui.server);

        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            assertThat(ui.http.get("/api/overview").status()).isEqualTo(200);
            assertThat(ui.page("/ui/overview").status()).isEqualTo(200);
        }
        long elapsed = System.nanoTime() - start;
        int reads = windowReads.get();
        ui.http.get("/api/overview?desk=support");

        // Once, unless this machine took longer than the freshness to answer the ten looks.
        assertThat(reads).isBetween(1, 1 + (int) (elapsed / Overview.FRESH.toNanos()));
        assertThat(windowReads.get()).as("another desk is another look").isEqualTo(reads + 1);
    }

    static long sum(JsonNode array, String... path) {
        return StreamSupport.stream(array.spliterator(), false).mapToLong(n -> {
            JsonNode v = n;
            for (String p : path) {
                v = v.path(p);
            }
            return v.asLong();
        }).sum();
    }
}
