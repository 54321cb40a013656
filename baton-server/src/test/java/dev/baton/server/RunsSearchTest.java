package dev.baton.server;

import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.session.InMemorySessionStore;
import dev.baton.testing.ScriptedModel;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class RunsSearchTest {
    final WebUiTest ui = new WebUiTest();
    String invoice;
    String parcel;
    String refund;
    String direct;

    /** Three support runs (triage hands off to billing), two on sessions, and one refunds run that billing takes alone. */
    @BeforeEach
    void serveFourRuns() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"), handoffTo("billing"), handoffTo("billing"))
                .forAgent("billing", reply("Done one."), reply("Done two."), reply("All refunded, Zebra."), reply("Done four."));
        ui.server = Desk.server(model, new InMemorySessionStore()).desk("support", Desk.triage()).desk("refunds", Desk.billing())
                .build().start();
        ui.http = new Http(ui.server);
        invoice = run("support", "My invoice INV-100% is wrong", "ticket-42");
        parcel = run("support", "Where is my parcel?", null);
        refund = run("support", "Refund please", "ticket-7");
        direct = run("refunds", "Refund order A-9", null);
    }

    @AfterEach
    void stop() {
        ui.stop();
    }

    String run(String desk, String input, @Nullable String session) {
        String body = "{\"input\": " + WebUiTest.quoted(input) + (session == null ? "" : ", \"session\": \"" + session + "\"") + "}";
        Http.Answer started = ui.http.post("/api/desks/" + desk + "/runs", body);
        assertThat(started.status()).as(started.body().toString()).isEqualTo(201);
        String id = started.body().get("id").asText();
        assertThat(ui.http.awaitEnd(id).get("status").asText()).isEqualTo("completed");
        return id;
    }

    /** The runs the runs page lists for this query string, by id, in their order. */
    List<String> listed(String query) {
        FormClient.Page page = ui.page("/ui/runs?" + query);
        assertThat(page.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (String id : List.of(direct, refund, parcel, invoice)) {
            if (page.html().contains("href=\"/ui/runs/" + id + "\"")) {
                ids.add(id);
            }
        }
        return ids;
    }

    List<String> api(String query) {
        Http.Answer answer = ui.http.get("/api/runs?" + query);
        assertThat(answer.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        answer.body().get("runs").forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }

    @Test
    void the_search_box_finds_runs_by_text_in_their_input_or_output_ignoring_case() {
        assertThat(listed("q=parcel")).containsExactly(parcel);
        assertThat(listed("q=PARCEL")).containsExactly(parcel);
        assertThat(listed("q=zebra")).containsExactly(refund);
        assertThat(listed("q=refund")).containsExactly(direct, refund);
        assertThat(listed("q=100%25")).containsExactly(invoice);
        assertThat(listed("q=nothing%20like%20it")).isEmpty();
        assertThat(ui.page("/ui/runs?q=nothing").html()).contains("No runs match.");
    }

    @Test
    void the_search_box_finds_a_run_by_its_id_or_session_and_no_other() {
        assertThat(listed("q=ticket-42")).containsExactly(invoice);
        assertThat(listed("q=" + refund)).containsExactly(refund);
        assertThat(listed("q=ticket")).isEmpty();
    }

    @Test
    void the_search_goes_with_the_desk_agent_and_time_filters() {
        assertThat(listed("q=refund&desk=refunds")).containsExactly(direct);
        assertThat(listed("q=ticket-42&desk=refunds")).isEmpty();
        assertThat(listed("agent=triage")).containsExactly(refund, parcel, invoice);
        assertThat(listed("agent=billing")).containsExactly(direct, refund, parcel, invoice);
        assertThat(listed("since=hour&q=refund")).containsExactly(direct, refund);
        assertThat(listed("since=week")).containsExactly(direct, refund, parcel, invoice);
        FormClient.Page bad = ui.page("/ui/runs?since=%3Cb%3Eyear");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.html()).contains("&lt;b&gt;year").doesNotContain("<b>year");
    }

    @Test
    void the_form_keeps_the_search_and_the_refreshed_table_searches_the_same() {
        String html = ui.page("/ui/runs?q=parcel&agent=triage&since=day").html();

        assertThat(html).contains("<input type=\"search\" name=\"q\" value=\"parcel\"")
                .contains("<option value=\"triage\" selected>triage</option>")
                .contains("<option value=\"day\" selected>last day</option>")
                .contains("data-refresh=\"/ui/runs/table?desk=&amp;status=&amp;q=parcel&amp;agent=triage&amp;since=day\"");
        String table = ui.page("/ui/runs/table?q=parcel").html();
        assertThat(table).contains("/ui/runs/" + parcel).doesNotContain("/ui/runs/" + invoice).doesNotContain("<html");
    }

    @Test
    void a_searched_text_is_shown_escaped() {
        String html = ui.page("/ui/runs?q=%3Cscript%3Ealert(1)%3C/script%3E").html();

        assertThat(html).contains("value=\"" + WebUiTest.ESCAPED + "\"").doesNotContain(WebUiTest.SCRIPT).contains("No runs match.");
    }

    @Test
    void the_runs_api_searches_with_q_too() {
        assertThat(api("q=parcel")).containsExactly(parcel);
        assertThat(api("q=ticket-42")).containsExactly(invoice);
        assertThat(api("q=" + direct)).containsExactly(direct);
        assertThat(api("q=refund&desk=support")).containsExactly(refund);
        assertThat(api("q=refund&limit=1")).containsExactly(direct);
        JsonNode page = ui.http.get("/api/runs?q=refund&limit=1").body();
        assertThat(api("q=refund&limit=1&after=" + page.get("next").asText())).containsExactly(refund);
    }
}
