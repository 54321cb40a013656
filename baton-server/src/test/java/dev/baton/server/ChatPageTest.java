package dev.baton.server;

import static dev.baton.server.FormClient.fields;
import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.human.HumanQueue;
import dev.baton.session.InMemorySessionStore;
import dev.baton.testing.ScriptedModel;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class ChatPageTest {
    static final String SCRIPT = WebUiTest.SCRIPT;
    static final String ESCAPED = WebUiTest.ESCAPED;

    BatonServer server;
    Http http;
    FormClient browser;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The support desk (triage hands off to billing, which looks the order up and answers) and the refunds desk. */
    void serveSupport(ScriptedModel model) {
        server = Desk.server(model, new InMemorySessionStore()).desk("support", Desk.triage()).desk("refunds", Desk.billing())
                .build().start();
        http = new Http(server);
        browser = new FormClient(server);
    }

    void serveSupport() {
        serveSupport(ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"))
                .forAgent("billing", callTool("look_up_order", new Desk.Refund("A-1")), reply("Your order is on its way."),
                        reply("You are welcome.")));
    }

    /** The session a chat page's address names. */
    static String session(String location) {
        return URLDecoder.decode(location.substring(location.indexOf("session=") + "session=".length()), StandardCharsets.UTF_8);
    }

    /** The latest run of the session, once it no longer runs. */
    JsonNode lastRun(String session) {
        JsonNode runs = http.get("/api/runs?session=" + session).body().get("runs");
        assertThat(runs).isNotEmpty();
        return http.awaitEnd(runs.get(0).get("id").asText());
    }

    @Test
    void a_message_on_a_new_session_starts_a_run_and_the_page_shows_the_reply_its_agent_the_handoff_and_the_tool_call() {
        serveSupport();
        FormClient.Page start = browser.get("/ui/chat?desk=support");
        assertThat(start.status()).isEqualTo(303);
        String session = session(start.location());
        assertThat(session).startsWith("chat-");
        assertThat(browser.follow(start).html()).contains("No messages yet").contains("<dt>Session</dt><dd>" + session + "</dd>")
                .contains("triage (the desk's first agent)");

        FormClient.Page sent = browser.post("/ui/chat", fields("desk", "support", "session", session, "text", "Where is my order A-1?"));

        assertThat(sent.status()).isEqualTo(303);
        assertThat(sent.location()).isEqualTo("/ui/chat?desk=support&session=" + session);
        assertThat(lastRun(session).get("status").asText()).isEqualTo("completed");
        String html = browser.follow(sent).html();
        int you = html.indexOf("<span class=\"who\">You</span>");
        int handoff = html.indexOf("hands off: triage → billing");
        int call = html.indexOf("calls <code>look_up_order</code>");
        int answer = html.indexOf("<span class=\"who\">billing</span> <div class=\"text\">Your order is on its way.</div>");
        assertThat(you).isPositive();
        assertThat(html.substring(you, handoff)).contains("Where is my order A-1?");
        assertThat(call).isGreaterThan(handoff);
        assertThat(answer).isGreaterThan(call);
        assertThat(html).contains("<dt>Agent holding it</dt><dd class=\"holding\">billing</dd>")
                .contains("data-live=\"false\"")
                .contains("<form class=\"send\" method=\"post\" action=\"/ui/chat\">")
                .contains("data-entries=\"/ui/chat/entries?run=")
                .doesNotContain("Working…");
    }

    @Test
    void the_next_message_continues_the_conversation_with_the_agent_holding_the_session() {
        serveSupport();
        String session = "chat-continued";
        browser.post("/ui/chat", fields("desk", "support", "session", session, "text", "Where is my order A-1?"));
        assertThat(lastRun(session).get("status").asText()).isEqualTo("completed");

        browser.post("/ui/chat", fields("desk", "support", "session", session, "text", "Thanks!"));

        assertThat(lastRun(session).get("output").asText()).isEqualTo("You are welcome.");
        String html = browser.get(ChatPage.chatUrl("support", session)).html();
        assertThat(html.indexOf("Thanks!")).isGreaterThan(html.indexOf("Your order is on its way."));
        assertThat(html.indexOf("You are welcome.")).isGreaterThan(html.indexOf("Thanks!"));
        assertThat(WebUiTest.count(html, "<span class=\"who\">You</span>")).isEqualTo(2);
    }

    @Test
    void the_page_escapes_what_the_customer_the_model_and_the_tools_say() {
        serveSupport(ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"))
                .forAgent("billing", callTool("look_up_order", new Desk.Refund(SCRIPT)), reply("Done " + SCRIPT)));
        String session = "chat-escaped";
        browser.post("/ui/chat", fields("desk", "support", "session", session, "text", "Hello " + SCRIPT));
        assertThat(lastRun(session).get("status").asText()).isEqualTo("completed");

        String html = browser.get(ChatPage.chatUrl("support", session)).html();

        assertThat(html).contains("Hello " + ESCAPED).contains("Done " + ESCAPED).contains("order " + ESCAPED).doesNotContain(SCRIPT);
        assertThat(WebUiTest.count(html, "<script")).as("the UI's one script").isEqualTo(1);
    }

    @Test
    void the_desk_picker_offers_the_desks_and_the_conversations_to_continue() {
        serveSupport();
        assertThat(browser.get("/ui/chat").html()).contains("<option value=\"support\">support</option>")
                .contains("<option value=\"refunds\">refunds</option>").contains("No conversation yet.");
        browser.post("/ui/chat", fields("desk", "support", "session", "chat-<one>", "text", "Where is my order A-1?"));
        lastRun("chat-%3Cone%3E");

        String picker = browser.get("/ui/chat").html();

        assertThat(picker).contains("href=\"/ui/chat?desk=support&amp;session=chat-%3Cone%3E\"").contains("chat-&lt;one&gt;</a> on support");
    }

    @Test
    void a_run_paused_for_approval_says_so_and_is_decided_on_the_chat_page() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("billing", callTool("issue_refund", new Desk.Refund("A-1")), reply("Refund done."));
        serveSupport(model);
        String session = "chat-refund";
        browser.post("/ui/chat", fields("desk", "refunds", "session", session, "text", "Refund order A-1 please"));
        JsonNode run = lastRun(session);
        assertThat(run.get("status").asText()).isEqualTo("paused");
        String here = ChatPage.chatUrl("refunds", session);

        String html = browser.get(here).html();

        assertThat(html).contains("The run waits for approval of a call").contains("href=\"/ui/approvals\"")
                .contains("asks approval to call <code>issue_refund</code>")
                .contains("action=\"/ui/approvals/" + run.get("id").asText() + "/")
                .contains("<input type=\"hidden\" name=\"back\" value=\"" + Html.esc(here) + "\">");
        String action = html.substring(html.indexOf("/ui/approvals/" + run.get("id").asText() + "/"));
        action = action.substring(0, action.indexOf('"'));

        FormClient.Page decided = browser.post(action, fields("decision", "approve", "back", here));

        assertThat(decided.status()).isEqualTo(303);
        assertThat(decided.location()).isEqualTo(here);
        assertThat(http.awaitEnd(run.get("id").asText()).get("status").asText()).isEqualTo("completed");
        assertThat(browser.get(here).html()).contains("Refund done.").doesNotContain("The run waits for approval");
    }

    @Test
    void a_conversation_escalated_to_the_human_agent_is_answered_as_that_agent_on_the_chat_page() throws InterruptedException {
        HumanQueue queue = new HumanQueue();
        server = Desk.server(ScriptedModel.create().forAgent("triage", handoffTo("human_agent")), new InMemorySessionStore())
                .desk("people", HumansApiTest.escalating(queue)).humans(queue).build().start();
        http = new Http(server);
        browser = new FormClient(server);
        String session = "chat-human";
        String here = ChatPage.chatUrl("people", session);
        browser.post("/ui/chat", fields("desk", "people", "session", session, "text", "I want a person"));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (queue.pending().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String runId = queue.pending().get(0).request().runId();
        String questionId = queue.pending().get(0).id();

        String waiting = browser.get(here).html();

        assertThat(waiting).contains("Working… <a href=\"/ui/runs/" + runId + "\">follow the run</a>")
                .contains("<noscript><meta http-equiv=\"refresh\" content=\"3\"></noscript>")
                .contains("data-live=\"true\"")
                .contains("The conversation waits for human_agent, a person")
                .contains("action=\"/ui/humans/" + questionId + "/reply\"")
                .contains("Answer as human_agent");
        assertThat(browser.get("/ui/chat/waiting?run=" + runId + "&desk=people&session=" + session).html())
                .contains("Answer as human_agent").doesNotContain("<html");
        FormClient.Page busy = browser.post("/ui/chat", fields("desk", "people", "session", session, "text", "Hello?"));
        assertThat(busy.status()).isEqualTo(409);
        assertThat(busy.html()).contains("still running");

        FormClient.Page answered = browser.post("/ui/humans/" + questionId + "/reply", fields("text", "Sam here.", "back", here));

        assertThat(answered.location()).isEqualTo(here);
        assertThat(http.awaitEnd(runId).get("output").asText()).isEqualTo("Sam here.");
        String html = browser.get(here).html();
        assertThat(html).contains("hands off: triage → human_agent")
                .contains("<span class=\"who\">human_agent</span> <div class=\"text\">Sam here.</div>")
                .contains("<dd class=\"holding\">human_agent</dd>")
                .doesNotContain("Answer as human_agent")
                .doesNotContain("http-equiv=\"refresh\"");
        assertThat(browser.get("/ui/chat/waiting?run=" + runId).html()).isEmpty();
    }

    @Test
    void the_entries_fragment_gives_a_runs_chat_entries_from_an_event_on() {
        serveSupport();
        browser.post("/ui/chat", fields("desk", "support", "session", "chat-frag", "text", "Where is my order A-1?"));
        String run = lastRun("chat-frag").get("id").asText();

        String all = browser.get("/ui/chat/entries?run=" + run).html();
        String last = browser.get("/ui/chat/entries?run=" + run + "&from=1000").html();

        assertThat(all).contains("hands off: triage → billing").contains("Your order is on its way.").doesNotContain("<html");
        assertThat(last).isEmpty();
        assertThat(browser.get("/ui/chat/entries?run=nope").status()).isEqualTo(404);
        assertThat(browser.get("/ui/assets/chat.js").status()).isEqualTo(404);
    }

    @Test
    void a_message_is_refused_from_another_site_when_blank_or_for_an_unknown_desk() {
        serveSupport();

        FormClient.Page foreign = browser.post("/ui/chat", fields("desk", "support", "session", "s", "text", "hi"),
                Map.of("Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"));
        FormClient.Page blank = browser.post("/ui/chat", fields("desk", "support", "session", "s", "text", "  "));
        FormClient.Page noDesk = browser.post("/ui/chat", fields("desk", "<nope>", "session", "s", "text", "hi"));

        assertThat(foreign.status()).isEqualTo(403);
        assertThat(blank.status()).isEqualTo(400);
        assertThat(noDesk.status()).isEqualTo(404);
        assertThat(noDesk.html()).contains("&lt;nope&gt;").doesNotContain("<nope>");
        assertThat(browser.get("/ui/chat?desk=nope").status()).isEqualTo(404);
        assertThat(http.get("/api/runs").body().get("runs")).isEmpty();
    }
}
