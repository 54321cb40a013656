package dev.baton.server;

import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.session.InMemorySessionStore;
import dev.baton.session.SessionStore;
import dev.baton.testing.ScriptedModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class SessionsApiTest {
    SessionStore sessions = new InMemorySessionStore();
    BatonServer server;
    Http http;

    /** The refunds desk answering twice, with the runner's own session store. */
    @BeforeEach
    void serve() {
        ScriptedModel model = ScriptedModel.create().forAgent("billing", reply("Which order?"), reply("Order A-1 is refunded."));
        server = Desk.server(model, sessions)
                .desk("refunds", Desk.billing())
                .build()
                .start();
        http = new Http(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String send(String session, String input) {
        Http.Answer started = http.post("/api/sessions/" + session + "/messages", "{\"desk\": \"refunds\", \"input\": \"" + input + "\"}");
        assertThat(started.status()).as(started.body().toString()).isEqualTo(201);
        String id = started.body().get("id").asText();
        assertThat(started.headers().firstValue("Location")).hasValue("/api/runs/" + id);
        assertThat(started.body().get("session").asText()).isEqualTo(session);
        assertThat(http.awaitEnd(id).get("status").asText()).isEqualTo("completed");
        return id;
    }

    @Test
    void a_message_starts_a_run_on_the_session_and_the_session_shows_the_conversation() {
        String first = send("ticket-7", "I want a refund");
        String second = send("ticket-7", "Order A-1");

        Http.Answer session = http.get("/api/sessions/ticket-7");

        assertThat(session.status()).isEqualTo(200);
        JsonNode body = session.body();
        assertThat(body.get("id").asText()).isEqualTo("ticket-7");
        assertThat(body.get("activeAgent").asText()).isEqualTo("billing");
        assertThat(body.get("items").toString())
                .contains("I want a refund").contains("Which order?").contains("Order A-1").contains("Order A-1 is refunded.");
        assertThat(body.get("items").toString().indexOf("Which order?")).isLessThan(body.get("items").toString().indexOf("Order A-1 is refunded."));
        assertThat(body.get("runs")).hasSize(2);
        assertThat(body.get("runs").get(0).get("id").asText()).isEqualTo(second);
        assertThat(body.get("runs").get(1).get("id").asText()).isEqualTo(first);
        assertThat(sessions.items("ticket-7", 0)).hasSize(4);
    }

    @Test
    void sessions_are_listed_from_the_latest_runs_most_recent_first() {
        send("ticket-1", "hello");
        send("ticket-2", "hello again");
        http.awaitEnd(http.post("/api/desks/refunds/runs", "{\"input\": \"no session\"}").body().get("id").asText());

        Http.Answer list = http.get("/api/sessions");

        assertThat(list.status()).isEqualTo(200);
        JsonNode all = list.body().get("sessions");
        assertThat(all).hasSize(2);
        assertThat(all.get(0).get("id").asText()).isEqualTo("ticket-2");
        assertThat(all.get(0).get("lastDesk").asText()).isEqualTo("refunds");
        assertThat(all.get(0).get("lastAgent").asText()).isEqualTo("billing");
        assertThat(all.get(0).get("runs").asInt()).isEqualTo(1);
        assertThat(all.get(1).get("id").asText()).isEqualTo("ticket-1");
        assertThat(list.body().get("runWindow").asInt()).isEqualTo(SessionsApi.RUN_WINDOW);
        assertThat(http.get("/api/sessions?limit=1").body().get("sessions")).hasSize(1);
        assertThat(http.get("/api/sessions?desk=other").body().get("sessions")).isEmpty();
        assertThat(http.get("/api/sessions?limit=0").status()).isEqualTo(400);
    }

    @Test
    void an_unknown_session_is_not_found() {
        Http.Answer answer = http.get("/api/sessions/nobody-here");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.body().get("error").get("message").asText()).contains("nobody-here");
    }

    @Test
    void a_message_with_an_unknown_desk_or_without_input_starts_nothing() {
        Http.Answer noDesk = http.post("/api/sessions/ticket-9/messages", "{\"desk\": \"sales\", \"input\": \"hi\"}");
        Http.Answer noInput = http.post("/api/sessions/ticket-9/messages", "{\"desk\": \"refunds\"}");
        Http.Answer deskMissing = http.post("/api/sessions/ticket-9/messages", "{\"input\": \"hi\"}");
        Http.Answer notJson = http.post("/api/sessions/ticket-9/messages", "hi");

        assertThat(noDesk.status()).isEqualTo(404);
        assertThat(noDesk.body().get("error").get("message").asText()).contains("sales");
        assertThat(noInput.status()).isEqualTo(400);
        assertThat(noInput.body().get("error").get("message").asText()).contains("input");
        assertThat(deskMissing.status()).isEqualTo(400);
        assertThat(deskMissing.body().get("error").get("message").asText()).contains("desk");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.body().get("error").get("type").asText()).isEqualTo("invalid_json");
        assertThat(http.get("/api/runs").body().get("runs")).isEmpty();
        assertThat(http.get("/api/sessions/ticket-9").status()).isEqualTo(404);
    }
}
