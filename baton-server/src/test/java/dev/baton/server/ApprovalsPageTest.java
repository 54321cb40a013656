package dev.baton.server;

import com.fasterxml.jackson.databind.JsonNode;

import static dev.baton.server.FormClient.fields;
import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.item.ToolOutput;
import dev.baton.testing.ScriptedModel;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class ApprovalsPageTest {
    static final String SCRIPT = WebUiTest.SCRIPT;
    static final String ESCAPED = WebUiTest.ESCAPED;

    ScriptedModel model;
    BatonServer server;
    Http http;
    FormClient browser;

    /** The refunds desk: billing asks to refund an order (the call needs approval), then answers. */
    @BeforeEach
    void serve() {
        model = ScriptedModel.create().forAgent("billing", callTool("issue_refund", new Desk.Refund("A-1 " + SCRIPT)), reply("Refund done."));
        server = Desk.server(model).desk("refunds", Desk.billing()).build().start();
        http = new Http(server);
        browser = new FormClient(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A run paused on the refund: its id and the call it waits for. */
    String[] pausedRun() {
        Http.Answer started = http.post("/api/desks/refunds/runs", "{\"input\": \"Refund my order please " + SCRIPT + "\"}");
        assertThat(started.status()).as(started.body().toString()).isEqualTo(201);
        String id = started.body().get("id").asText();
        assertThat(http.awaitEnd(id).get("status").asText()).isEqualTo("paused");
        return new String[] {id, http.get("/api/runs/" + id + "/approvals").body().get("approvals").get(0).get("callId").asText()};
    }

    String decide(String[] run) {
        return "/ui/approvals/" + run[0] + "/" + run[1];
    }

    @Test
    void the_inbox_lists_a_paused_runs_call_with_its_desk_run_agent_tool_arguments_and_input_all_escaped() {
        String[] run = pausedRun();

        FormClient.Page page = browser.get("/ui/approvals");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'"));
        assertThat(page.html())
                .contains("<h2>Calls waiting for approval</h2>")
                .contains("<dt>Desk</dt><dd>refunds</dd>")
                .contains("href=\"/ui/runs/" + run[0] + "\"")
                .contains("<dt>Agent</dt><dd>billing</dd>")
                .contains("<dt>What it does</dt><dd>Refund an order.</dd>")
                .contains("<code>issue_refund</code>")
                .contains("&quot;order_id&quot; : &quot;A-1 " + ESCAPED + "&quot;")
                .contains("Refund my order please " + ESCAPED)
                .contains("<form class=\"decide\" method=\"post\" action=\"" + decide(run) + "\">")
                .contains("name=\"decision\" value=\"approve\"").contains("name=\"decision\" value=\"reject\"")
                .contains("<div id=\"approvals\" data-refresh=\"/ui/approvals/list\">")
                .doesNotContain(SCRIPT);
        assertThat(WebUiTest.count(page.html(), "<script")).isEqualTo(1);
        assertThat(browser.get("/ui/approvals/list").html()).contains(decide(run)).doesNotContain("<html");
    }

    @Test
    void the_reviewer_names_themselves_and_may_decide_for_the_tools_later_calls_too() {
        String[] run = pausedRun();

        browser.post(decide(run), fields("decision", "approve", "by", "Dana", "always", "true"));

        JsonNode approval = http.get("/api/runs/" + run[0] + "/approvals").body().get("approvals").get(0);
        assertThat(approval.get("decidedBy").asText()).isEqualTo("Dana");
        assertThat(approval.get("always").asBoolean()).isTrue();
        assertThat(http.page("/ui/runs/" + run[0])).contains("approved by Dana");
    }

    @Test
    void approving_in_the_browser_redirects_back_to_the_inbox_which_says_so_and_the_run_completes() {
        String[] run = pausedRun();

        FormClient.Page answer = browser.post(decide(run), fields("decision", "approve", "message", ""));

        assertThat(answer.status()).isEqualTo(303);
        assertThat(answer.location()).isEqualTo("/ui/approvals?run=" + run[0] + "&call=" + run[1]);
        assertThat(http.awaitEnd(run[0]).get("status").asText()).isEqualTo("completed");
        FormClient.Page inbox = browser.follow(answer);
        assertThat(inbox.html()).contains("<code>issue_refund</code> of run").contains("was approved").contains("No call waits for approval.")
                .doesNotContain(decide(run));
        assertThat(toolOutput()).isEqualTo("refunded A-1 " + SCRIPT);
    }

    @Test
    void rejecting_with_a_message_makes_the_model_read_it_and_the_inbox_tells_the_message() {
        String[] run = pausedRun();

        FormClient.Page answer = browser.post(decide(run), fields("decision", "reject", "message", "Over the <limit>, ask a manager."));

        assertThat(answer.status()).isEqualTo(303);
        assertThat(http.awaitEnd(run[0]).get("status").asText()).isEqualTo("completed");
        assertThat(toolOutput()).contains("Over the <limit>, ask a manager.").doesNotContain("refunded");
        assertThat(browser.follow(answer).html()).contains("was rejected (Over the &lt;limit&gt;, ask a manager.)");
    }

    @Test
    void deciding_an_already_decided_call_shows_a_clear_message_not_an_error() {
        String[] run = pausedRun();
        assertThat(browser.post(decide(run), fields("decision", "approve")).status()).isEqualTo(303);

        FormClient.Page again = browser.post(decide(run), fields("decision", "reject"));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(again.html()).contains("<h1>Already decided</h1>").contains("was already approved").contains("href=\"/ui/approvals\"");
    }

    @Test
    void a_form_posted_from_another_site_or_from_nowhere_is_refused_and_the_call_stays_pending() {
        String[] run = pausedRun();
        Map<String, String> approve = fields("decision", "approve");

        FormClient.Page foreign = browser.post(decide(run), approve, Map.of("Origin", "http://evil.example"));
        FormClient.Page crossSite = browser.post(decide(run), approve, Map.of("Sec-Fetch-Site", "cross-site", "Origin", browser.origin()));
        FormClient.Page sameSite = browser.post(decide(run), approve, Map.of("Sec-Fetch-Site", "same-site"));
        FormClient.Page otherPort = browser.post(decide(run), approve, Map.of("Origin", "http://127.0.0.1:1"));
        FormClient.Page nowhere = browser.post(decide(run), approve, Map.of());

        for (FormClient.Page refused : new FormClient.Page[] {foreign, crossSite, sameSite, otherPort, nowhere}) {
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.html()).contains("<h1>Refused</h1>").contains("not posted from a page of this server");
        }
        assertThat(http.get("/api/runs/" + run[0]).body().get("status").asText()).isEqualTo("paused");
        assertThat(http.get("/api/approvals").body().get("approvals").get(0).get("status").asText()).isEqualTo("pending");
        assertThat(browser.post(decide(run), approve, Map.of("Origin", browser.origin())).status())
                .as("the Origin alone, from an older browser, is enough").isEqualTo(303);
    }

    @Test
    void a_form_without_a_decision_an_unknown_run_or_an_unknown_call_is_answered_with_a_page() {
        String[] run = pausedRun();

        FormClient.Page noDecision = browser.post(decide(run), fields("decision", "maybe"));
        FormClient.Page noRun = browser.post("/ui/approvals/run_nope/" + run[1], fields("decision", "approve"));
        FormClient.Page noCall = browser.post("/ui/approvals/" + run[0] + "/call_nope", fields("decision", "approve"));

        assertThat(noDecision.status()).isEqualTo(400);
        assertThat(noDecision.html()).contains("Approve or reject the call.");
        assertThat(noRun.status()).isEqualTo(404);
        assertThat(noRun.html()).contains("run_nope");
        assertThat(noCall.status()).isEqualTo(404);
        assertThat(noCall.html()).contains("call_nope");
        assertThat(http.get("/api/runs/" + run[0]).body().get("status").asText()).isEqualTo("paused");
    }

    @Test
    void the_waiting_for_approval_badge_links_to_the_inbox_and_the_inbox_says_when_nothing_waits() {
        FormClient.Page empty = browser.get("/ui/approvals");
        assertThat(empty.html()).contains("No call waits for approval.").contains("was not given the queue of its desks' human agents");

        String[] run = pausedRun();

        assertThat(browser.get("/ui/runs").html()).contains("<a class=\"badge waiting\" href=\"/ui/approvals\">waiting for approval</a>");
        assertThat(browser.get("/ui/runs/" + run[0]).html()).contains("href=\"/ui/approvals\"");
    }

    @Test
    void a_link_cannot_make_the_inbox_say_a_call_was_decided() {
        String[] run = pausedRun();

        String html = browser.get("/ui/approvals?run=" + run[0] + "&call=" + run[1]).html();

        assertThat(html).doesNotContain("was approved").doesNotContain("was rejected");
    }

    /** The output of the refund call that the model read on its last call. */
    private String toolOutput() {
        return model.lastRequest().input().stream().filter(ToolOutput.class::isInstance).map(i -> ((ToolOutput) i).output())
                .reduce((a, b) -> b).orElseThrow();
    }
}
