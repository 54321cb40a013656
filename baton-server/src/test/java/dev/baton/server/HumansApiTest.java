package dev.baton.server;

import static dev.baton.server.FormClient.fields;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.human.HumanAgent;
import dev.baton.human.HumanQueue;
import dev.baton.session.InMemorySessionStore;
import dev.baton.testing.ScriptedModel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class HumansApiTest {
    final HumanQueue queue = new HumanQueue();
    ScriptedModel model;
    BatonServer server;
    Http http;
    FormClient browser;

    /** Triage escalates to a person (a human agent on the server's queue), who may hand the customer back to triage. */
    static Agent<Void> escalating(HumanQueue queue) {
        Agent<Void> triage = Agent.<Void>builder("triage").instructions("Route the customer.").handoffs("human_agent").build();
        Agent<Void> human = HumanAgent.<Void>builder("human_agent").instructions("You are Sam <b>from</b> support.")
                .channel(queue).timeout(Duration.ofSeconds(30)).handoffs("triage").build();
        return Team.of(triage, human).agent("triage");
    }

    @BeforeEach
    void serve() {
        model = ScriptedModel.create().forAgent("triage", handoffTo("human_agent"), reply("Triage again: how can I help?"));
        server = Desk.server(model, new InMemorySessionStore()).desk("people", escalating(queue)).humans(queue).build().start();
        http = new Http(server);
        browser = new FormClient(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Starts a run on a session that escalates to the person; returns its id once its question waits. */
    String waitingRun(String session) {
        Http.Answer started = http.post("/api/desks/people/runs", "{\"input\": \"I want a <b>person</b>\", \"session\": \"" + session + "\"}");
        assertThat(started.status()).as(started.body().toString()).isEqualTo(201);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (queue.pending().isEmpty() && System.nanoTime() < deadline) {
            pause();
        }
        assertThat(queue.pending()).hasSize(1);
        return started.body().get("id").asText();
    }

    JsonNode question() {
        Http.Answer waiting = http.get("/api/humans");
        assertThat(waiting.status()).isEqualTo(200);
        assertThat(waiting.body().get("questions")).hasSize(1);
        return waiting.body().get("questions").get(0);
    }

    @Test
    void the_question_of_a_waiting_run_is_listed_with_its_run_session_conversation_and_handoffs() {
        String run = waitingRun("s-1");

        JsonNode q = question();

        assertThat(q.get("id").asText()).isEqualTo(queue.pending().get(0).id());
        assertThat(q.get("agent").asText()).isEqualTo("human_agent");
        assertThat(q.get("runId").asText()).isEqualTo(run);
        assertThat(q.get("session").asText()).isEqualTo("s-1");
        assertThat(q.get("instructions").asText()).isEqualTo("You are Sam <b>from</b> support.");
        assertThat(q.get("transcript").asText()).startsWith("user: I want a <b>person</b>");
        assertThat(q.get("conversation").get(0).toString()).contains("I want a <b>person</b>");
        assertThat(q.get("handoffs").get(0).get("agent").asText()).isEqualTo("triage");
        assertThat(q.get("deadline").asText()).isNotBlank();
        assertThat(http.get("/api/runs/" + run).body().get("status").asText()).isEqualTo("running");
    }

    @Test
    void a_reply_completes_the_run_with_the_persons_text_as_the_human_agents_answer() {
        String run = waitingRun("s-2");
        String id = question().get("id").asText();

        Http.Answer answered = http.post("/api/humans/" + id + "/reply", "{\"text\": \"Sam here. I'll sort it out.\"}");

        assertThat(answered.status()).as(answered.body().toString()).isEqualTo(200);
        assertThat(answered.body().get("status").asText()).isEqualTo("answered");
        assertThat(answered.body().get("runId").asText()).isEqualTo(run);
        JsonNode done = http.awaitEnd(run);
        assertThat(done.get("status").asText()).isEqualTo("completed");
        assertThat(done.get("output").asText()).isEqualTo("Sam here. I'll sort it out.");
        assertThat(done.get("currentAgent").asText()).isEqualTo("human_agent");
        assertThat(http.get("/api/humans").body().get("questions")).isEmpty();
    }

    @Test
    void a_reply_may_hand_the_customer_back_to_an_agent_the_human_agent_offers() {
        String run = waitingRun("s-3");
        String id = question().get("id").asText();

        Http.Answer answered = http.post("/api/humans/" + id + "/reply", "{\"text\": \"Back to our bot.\", \"handoff\": \"triage\"}");

        assertThat(answered.status()).as(answered.body().toString()).isEqualTo(200);
        JsonNode done = http.awaitEnd(run);
        assertThat(done.get("status").asText()).isEqualTo("completed");
        assertThat(done.get("output").asText()).isEqualTo("Triage again: how can I help?");
        assertThat(http.get("/api/runs/" + run).body().get("path").toString()).isEqualTo("[\"triage\",\"human_agent\",\"triage\"]");
    }

    @Test
    void an_unknown_id_is_not_found_a_bad_body_is_refused_and_the_question_stays_open() {
        waitingRun("s-4");
        String path = "/api/humans/" + question().get("id").asText() + "/reply";

        assertThat(http.post("/api/humans/no-such-question/reply", "{\"text\": \"hi\"}").status()).isEqualTo(404);
        assertBadRequest(http.post(path, "{\"text\": "), "JSON");
        assertBadRequest(http.post(path, "[]"), "JSON object");
        assertBadRequest(http.post(path, "{\"text\": 42}"), "'text'");
        assertBadRequest(http.post(path, "{}"), "neither");
        assertBadRequest(http.post(path, "{\"text\": \"  \"}"), "neither");
        assertBadRequest(http.post(path, "{\"text\": \"hi\", \"handoff\": 7}"), "'handoff'");
        assertBadRequest(http.post(path, "{\"text\": \"hi\", \"handoff\": \"billing\"}"), "cannot hand off to 'billing'");
        assertThat(http.method("GET", path).status()).isEqualTo(405);
        assertThat(http.method("DELETE", "/api/humans").status()).isEqualTo(405);

        assertThat(question().get("id").asText()).isEqualTo(path.split("/")[3]);
    }

    @Test
    void answering_a_question_twice_is_a_conflict() {
        String run = waitingRun("s-5");
        String path = "/api/humans/" + question().get("id").asText() + "/reply";
        assertThat(http.post(path, "{\"text\": \"First.\"}").status()).isEqualTo(200);

        Http.Answer again = http.post(path, "{\"text\": \"Second.\"}");

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().get("error").get("type").asText()).isEqualTo("conflict");
        assertThat(again.body().get("error").get("message").asText()).contains("already answered");
        assertThat(http.awaitEnd(run).get("output").asText()).isEqualTo("First.");
    }

    @Test
    void the_inbox_lists_the_conversation_waiting_for_a_person_and_its_form_answers_as_the_human_agent() {
        String run = waitingRun("s-6");
        String id = question().get("id").asText();

        String inbox = browser.get("/ui/approvals").html();

        assertThat(inbox).contains("<h2>Conversations waiting for a person</h2>")
                .contains("<h3>human_agent is asked</h3>")
                .contains("user: I want a &lt;b&gt;person&lt;/b&gt;")
                .contains("You are Sam &lt;b&gt;from&lt;/b&gt; support.")
                .contains("href=\"/ui/runs/" + run + "\"")
                .contains("<form class=\"answer\" method=\"post\" action=\"/ui/humans/" + id + "/reply\">")
                .contains("Answer as human_agent")
                .contains("<option value=\"triage\">hand off to triage</option>")
                .doesNotContain("<b>person</b>");

        FormClient.Page sent = browser.post("/ui/humans/" + id + "/reply", fields("text", "Sam here, from the inbox.", "handoff", ""));

        assertThat(sent.status()).isEqualTo(303);
        assertThat(sent.location()).isEqualTo("/ui/approvals?answered=1");
        assertThat(http.awaitEnd(run).get("output").asText()).isEqualTo("Sam here, from the inbox.");
        assertThat(browser.follow(sent).html()).contains("Your answer was sent").contains("Nobody waits for a person.");
        FormClient.Page again = browser.post("/ui/humans/" + id + "/reply", fields("text", "Once more."));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.html()).contains("<h1>Already answered</h1>");
        assertThat(browser.post("/ui/humans/" + id + "/reply", fields("text", "hi"), java.util.Map.of("Origin", "http://evil.example"))
                .status()).isEqualTo(403);
        assertThat(browser.post("/ui/humans/nope/reply", fields("text", "hi")).status()).isEqualTo(404);
    }

    @Test
    void a_server_given_no_queue_lists_no_question() {
        BatonServer plain = Desk.server(ScriptedModel.create()).desk("support", Desk.triage()).build().start();
        try {
            Http other = new Http(plain);
            assertThat(other.get("/api/humans").body().get("questions")).isEmpty();
            assertThat(other.post("/api/humans/anything/reply", "{\"text\": \"hi\"}").status()).isEqualTo(404);
        } finally {
            plain.close();
        }
    }

    private static void assertBadRequest(Http.Answer answer, String mentioning) {
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(400);
        assertThat(answer.body().get("error").get("message").asText()).contains(mentioning);
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
