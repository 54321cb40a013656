package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.human.HumanAgent;
import dev.baton.human.HumanQueue;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.runtime.InProcessRuntime;
import dev.baton.runtime.handoff.HandoffDesk;
import dev.baton.runtime.handoff.RuntimeHumans;
import dev.baton.schema.Description;
import dev.baton.session.InMemorySessionStore;
import dev.baton.testing.ScriptedModel;
import dev.baton.tool.Tool;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A desk on the publish/subscribe runtime, talked to over HTTP, its human agent answered in the server's queue. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class RuntimeApiTest {
    record Invoice(@Description("Invoice id") String invoiceId) {}

    final HumanQueue queue = new HumanQueue();
    final RuntimeHumans humans = new RuntimeHumans();
    final InProcessRuntime runtime = InProcessRuntime.create();
    ScriptedModel model;
    BatonServer server;
    Http http;

    Agent<Void> desk() {
        Tool<Void> refund = Tool.<Void, Invoice>of("refund_invoice", "Refund an invoice.", Invoice.class,
                (ctx, a) -> "refunded " + a.invoiceId()).requiringApproval();
        Agent<Void> triage = Agent.<Void>builder("triage").instructions("Route.").handoffs("billing", "human_agent").build();
        Agent<Void> billing = Agent.<Void>builder("billing").instructions("Billing.").tools(refund).build();
        Agent<Void> human = HumanAgent.<Void>builder("human_agent").channel(humans).timeout(Duration.ofSeconds(30)).build();
        return Team.of(triage, billing, human).agent("triage");
    }

    @BeforeEach
    void serve() {
        // Triage sends a customer who asks for a person to the human agent, anyone else to billing.
        model = ScriptedModel.answering(request -> {
            if (request.agent().equals("triage")) {
                boolean person = request.input().stream().anyMatch(i -> i instanceof Message m && m.text().contains("person"));
                return response(new ToolCall("call_" + request.input().size(), person ? "transfer_to_human_agent" : "transfer_to_billing", "{}"));
            }
            boolean refunded = request.input().stream().anyMatch(i -> i instanceof ToolCall c && c.name().equals("refund_invoice"));
            return refunded ? response(Message.assistant("INV-7 is refunded."))
                    : response(new ToolCall("call_refund", "refund_invoice", "{\"invoice_id\":\"INV-7\"}"));
        });
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(new InMemorySessionStore()).build());
        HandoffDesk<Void> desk = HandoffDesk.builder(desk(), runner).name("billing-desk").build();
        desk.host(runtime);
        humans.bind(runtime);
        server = BatonServer.builder().runner(runner).port(0).humans(queue).runtimeDesk(desk, runtime).build().start();
        http = new Http(server);
    }

    static ModelResponse response(dev.baton.item.Item item) {
        return new ModelResponse(java.util.List.of(item), Usage.zero());
    }

    @AfterEach
    void stop() {
        server.close();
        runtime.close();
    }

    @Test
    void a_message_is_answered_by_the_agent_it_reaches_and_an_approval_is_decided_over_http() {
        Http.Answer asked = http.post("/api/runtime/billing-desk/sessions/s-1/messages", "{\"message\": \"Refund INV-7\"}");

        assertThat(asked.status()).as(asked.body().toString()).isEqualTo(200);
        JsonNode waiting = asked.body();
        assertThat(waiting.get("type").asText()).isEqualTo("approval_required");
        assertThat(waiting.get("agent").asText()).isEqualTo("billing");
        assertThat(waiting.get("pending").get(0).get("tool").asText()).isEqualTo("refund_invoice");

        Http.Answer decided = http.post("/api/runtime/billing-desk/sessions/s-1/decisions", """
                {"agent": "billing", "run_id": "%s", "call_id": "%s", "approved": true, "by": "Dana"}"""
                .formatted(waiting.get("run_id").asText(), waiting.get("pending").get(0).get("call_id").asText()));

        assertThat(decided.status()).as(decided.body().toString()).isEqualTo(200);
        assertThat(decided.body().get("type").asText()).isEqualTo("answer");
        assertThat(decided.body().get("agent").asText()).isEqualTo("billing");
        assertThat(decided.body().get("text").asText()).isEqualTo("INV-7 is refunded.");
        assertThat(decided.body().get("holder").asText()).isEqualTo("billing");
    }

    @Test
    void a_journaled_turn_approved_in_the_approvals_api_goes_on_and_its_answer_reaches_the_session() throws Exception {
        server.close();
        dev.baton.durable.InMemoryRunStore store = new dev.baton.durable.InMemoryRunStore();
        InMemorySessionStore sessions = new InMemorySessionStore();
        dev.baton.runtime.InMemoryDeadLetters deadLetters = new dev.baton.runtime.InMemoryDeadLetters();
        InProcessRuntime journaledRuntime = InProcessRuntime.builder().deadLetters(deadLetters).build();
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).sessionStore(sessions).build());
        try (HandoffDesk<Void> desk = HandoffDesk.builder(desk(), runner).name("journaled-desk").journaled(store).build()) {
            desk.host(journaledRuntime);
            server = BatonServer.builder().runner(runner).store(store).sessionStore(sessions).port(0)
                    .runtimeDesk(desk, journaledRuntime).build().start();
            http = new Http(server);
            JsonNode waiting = http.post("/api/runtime/journaled-desk/sessions/s-3/messages", "{\"message\": \"Refund INV-7\"}").body();
            assertThat(waiting.get("type").asText()).as(waiting.toString()).isEqualTo("approval_required");
            String runId = waiting.get("run_id").asText();

            Http.Answer decided = http.post("/api/runs/" + runId + "/approvals/" + waiting.get("pending").get(0).get("call_id").asText(),
                    "{\"decision\": \"approve\", \"by\": \"Dana\"}");

            assertThat(decided.status()).as(decided.body().toString()).isEqualTo(200);
            Http.Answer next = http.get("/api/runtime/journaled-desk/sessions/s-3/next?wait_seconds=10");
            assertThat(next.status()).as(next.body().toString()).isEqualTo(200);
            assertThat(next.body().get("type").asText()).isEqualTo("answer");
            assertThat(next.body().get("agent").asText()).isEqualTo("billing");
            assertThat(next.body().get("text").asText()).isEqualTo("INV-7 is refunded.");
            assertThat(next.body().get("run_id").asText()).isEqualTo(runId);
            assertThat(sessions.items("s-3", 0)).last().isEqualTo(Message.assistant("INV-7 is refunded."));
            assertThat(store.findRun(runId)).hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(dev.baton.durable.RunStatus.COMPLETED));
            assertThat(deadLetters.list()).isEmpty();
        } finally {
            journaledRuntime.close();
        }
    }

    @Test
    void the_human_agent_of_a_runtime_desk_is_answered_in_the_servers_queue() throws Exception {
        CompletableFuture<Http.Answer> asked = CompletableFuture.supplyAsync(
                () -> http.post("/api/runtime/billing-desk/sessions/s-2/messages", "{\"message\": \"A person, please\"}"));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode questions = http.get("/api/humans").body().get("questions");
        while (questions.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            questions = http.get("/api/humans").body().get("questions");
        }
        assertThat(questions).hasSize(1);
        assertThat(questions.get(0).get("session").asText()).isEqualTo("s-2");
        assertThat(questions.get(0).get("agent").asText()).isEqualTo("human_agent");

        Http.Answer replied = http.post("/api/humans/" + questions.get(0).get("id").asText() + "/reply",
                "{\"text\": \"Sam, the manager, here.\"}");

        assertThat(replied.status()).as(replied.body().toString()).isEqualTo(200);
        Http.Answer answer = asked.get();
        assertThat(answer.body().get("type").asText()).as(answer.body().toString()).isEqualTo("answer");
        assertThat(answer.body().get("agent").asText()).isEqualTo("human_agent");
        assertThat(answer.body().get("text").asText()).isEqualTo("Sam, the manager, here.");
    }

    @Test
    void next_waits_for_what_the_agents_say_and_answers_202_when_they_say_nothing() {
        Http.Answer quiet = http.get("/api/runtime/billing-desk/sessions/s-4/next?wait_seconds=0.2");

        assertThat(quiet.status()).isEqualTo(202);
        assertThat(quiet.body().get("type").asText()).isEqualTo("no_answer_yet");
        assertThat(quiet.body().get("message").asText()).contains("/api/runtime/billing-desk/sessions/s-4/next");
        assertThat(http.get("/api/runtime/billing-desk/sessions/s-4/next?wait_seconds=soon").status()).isEqualTo(400);
    }

    @Test
    void an_unknown_desk_a_blank_message_and_a_bad_decision_are_refused() {
        assertThat(http.post("/api/runtime/nope/sessions/s/messages", "{\"message\": \"hi\"}").status()).isEqualTo(404);
        assertThat(http.post("/api/runtime/billing-desk/sessions/s/messages", "{\"message\": \" \"}").status()).isEqualTo(400);
        Http.Answer bad = http.post("/api/runtime/billing-desk/sessions/s/decisions",
                "{\"agent\": \"nobody\", \"run_id\": \"r\", \"call_id\": \"c\", \"approved\": true}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("error").get("message").asText()).contains("nobody").contains("billing");
    }

    // ---- the same desk on the web chat page

    @Test
    void on_the_chat_page_a_person_talks_to_the_runtime_desk_and_decides_the_approval_it_asks_for() throws Exception {
        FormClient browser = new FormClient(server);
        FormClient.Page start = browser.get("/ui/runtime-chat?desk=billing-desk");
        assertThat(start.status()).isEqualTo(303);
        assertThat(browser.follow(start).html()).contains("No messages yet").contains("on the runtime");

        FormClient.Page sent = browser.post("/ui/runtime-chat", FormClient.fields("desk", "billing-desk", "session", "web-1",
                "text", "Refund INV-7"));

        assertThat(sent.status()).isEqualTo(303);
        assertThat(sent.location()).isEqualTo("/ui/runtime-chat?desk=billing-desk&session=web-1");
        String paused = pageUntil(browser, sent.location(), "id=\"chat-paused\"");
        assertThat(paused).contains("Refund INV-7").contains("hands off to billing").contains("<code>refund_invoice</code>")
                .contains("billing waits for approval").doesNotContain("chat-working");

        FormClient.Page decided = browser.post("/ui/runtime-chat/decision", FormClient.fields("desk", "billing-desk", "session", "web-1",
                "agent", "billing", "run_id", hidden(paused, "run_id"), "call_id", hidden(paused, "call_id"), "approved", "true"));

        assertThat(decided.status()).isEqualTo(303);
        String answered = pageSettled(browser, decided.location(), "INV-7 is refunded.");
        assertThat(answered).contains("result: <code class=\"args\">refunded INV-7</code>")
                .contains("<dd class=\"holding\">billing</dd>").doesNotContain("chat-paused").doesNotContain("chat-working");
        assertThat(answered.indexOf("INV-7 is refunded.")).isGreaterThan(answered.indexOf("Refund INV-7"));
    }

    @Test
    void on_the_chat_page_the_desks_human_agent_is_answered_in_the_conversation() throws Exception {
        FormClient browser = new FormClient(server);
        browser.post("/ui/runtime-chat", FormClient.fields("desk", "billing-desk", "session", "web-2", "text", "A person, please"));
        String asking = pageUntil(browser, "/ui/runtime-chat?desk=billing-desk&session=web-2", "Send as human_agent");
        assertThat(asking).contains("The conversation waits for human_agent").contains("id=\"chat-working\"");
        String action = asking.substring(asking.indexOf("action=\"/ui/humans/") + "action=\"".length());
        action = action.substring(0, action.indexOf('"'));

        FormClient.Page replied = browser.post(action, FormClient.fields("text", "Sam, the manager, here.",
                "back", "/ui/runtime-chat?desk=billing-desk&session=web-2"));

        assertThat(replied.status()).isEqualTo(303);
        String answered = pageSettled(browser, "/ui/runtime-chat?desk=billing-desk&session=web-2", "Sam, the manager, here.");
        assertThat(answered).contains("<dd class=\"holding\">human_agent</dd>").doesNotContain("chat-working");
    }

    @Test
    void the_chat_picker_offers_the_runtime_desk_and_the_page_refuses_unknown_desks_and_bad_decisions() {
        FormClient browser = new FormClient(server);
        assertThat(browser.get("/ui/chat").html()).contains("href=\"/ui/runtime-chat?desk=billing-desk\"");
        assertThat(browser.get("/ui/runtime-chat?desk=nope").status()).isEqualTo(404);
        assertThat(browser.get("/ui/runtime-chat?desk=billing-desk&session=" + "s".repeat(201)).status()).isEqualTo(400);
        assertThat(browser.post("/ui/runtime-chat", FormClient.fields("desk", "nope", "session", "s", "text", "hi")).status())
                .isEqualTo(404);
        FormClient.Page bad = browser.post("/ui/runtime-chat/decision", FormClient.fields("desk", "billing-desk", "session", "s",
                "agent", "nobody", "run_id", "r", "call_id", "c", "approved", "true"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.html()).contains("Not a decision").contains("approves or denies it");
    }

    /** The page at {@code path} once it contains {@code text}, asked again while it does not (at most 20 s). */
    private static String pageUntil(FormClient browser, String path, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String html = browser.get(path).html();
        while (!html.contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            html = browser.get(path).html();
        }
        assertThat(html).contains(text);
        return html;
    }

    /**
     * The page once it shows {@code text} and the desk is no longer working: a turn writes its answer
     * to the session a moment before the answer reaches the person's side, and the page reloads itself
     * until both are there.
     */
    private static String pageSettled(FormClient browser, String path, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String html = pageUntil(browser, path, text);
        while (html.contains("id=\"chat-working\"") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            html = browser.get(path).html();
        }
        return html;
    }

    private static String hidden(String html, String name) {
        String marker = "name=\"" + name + "\" value=\"";
        int at = html.indexOf(marker);
        assertThat(at).as("hidden field " + name).isNotNegative();
        return html.substring(at + marker.length(), html.indexOf('"', at + marker.length()));
    }
}
