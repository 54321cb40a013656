package dev.baton.server;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.Agent;
import dev.baton.run.RunOptions;
import dev.baton.testing.ScriptedModel;
import dev.baton.tool.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A run started over the API with a context as JSON: the desk's agents get it as their typed context. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class RunContextApiTest {
    record Customer(String id, String tier) {}

    record Question(String topic) {}

    BatonServer server;
    Http http;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Agent<Customer> concierge() {
        Tool<Customer> whoAmI = Tool.<Customer, Question>of("who_am_i", "The customer asking.", Question.class,
                (ctx, q) -> ctx.context() == null ? "nobody" : ctx.context().id() + " (" + ctx.context().tier() + ")");
        return Agent.<Customer>builder("concierge").tools(whoAmI).build();
    }

    static ScriptedModel model() {
        return ScriptedModel.create().forAgent("concierge", callTool("who_am_i", new Question("orders")), reply("Welcome back."));
    }

    Http.Answer start(String desk, String body) {
        return http.post("/api/desks/" + desk + "/runs", body);
    }

    @Test
    void the_context_becomes_the_desks_context_type_for_its_agents_and_is_kept_with_the_run() {
        server = Desk.server(model()).desk("vip", concierge(), Customer.class).build().start();
        http = new Http(server);

        Http.Answer started = start("vip", "{\"input\": \"Hello\", \"context\": {\"id\": \"C-7\", \"tier\": \"gold\"}}");

        assertThat(started.status()).as(started.body().toString()).isEqualTo(201);
        String id = started.body().get("id").asText();
        JsonNode run = http.awaitEnd(id);
        assertThat(run.get("status").asText()).isEqualTo("completed");
        assertThat(http.get("/api/runs/" + id + "/events").body().toString()).contains("C-7 (gold)");
        assertThat(http.get("/api/runs/" + id).body().get("context").get("tier").asText()).isEqualTo("gold");
    }

    @Test
    void a_context_that_does_not_fit_the_type_is_refused_and_starts_no_run() {
        server = Desk.server(model()).desk("vip", concierge(), Customer.class).build().start();
        http = new Http(server);

        Http.Answer refused = start("vip", "{\"input\": \"Hello\", \"context\": {\"id\": \"C-7\", \"tier\": \"gold\", \"tierr\": 1}}");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().get("error").get("message").asText()).contains("not a context of desk 'vip'").contains("tierr");
        assertThat(http.get("/api/runs").body().get("runs")).isEmpty();
    }

    @Test
    void a_desk_that_takes_no_context_refuses_one_rather_than_dropping_it() {
        server = Desk.server(model()).desk("plain", concierge()).build().start();
        http = new Http(server);

        Http.Answer refused = start("plain", "{\"input\": \"Hello\", \"context\": {\"id\": \"C-7\"}}");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().get("error").get("message").asText()).contains("takes no context");
        assertThat(start("plain", "{\"input\": \"Hello\", \"context\": null}").status()).isEqualTo(201);
    }

    @Test
    void the_servers_run_options_may_read_the_context_themselves() {
        server = Desk.server(model()).desk("plain", concierge())
                .runOptions(record -> RunOptions.context(new Customer(
                        record.context() == null ? "anonymous" : record.context().replace("\"", ""),
                        "from-options")))
                .build().start();
        http = new Http(server);

        String id = start("plain", "{\"input\": \"Hello\", \"context\": \"C-9\"}").body().get("id").asText();

        assertThat(http.awaitEnd(id).get("status").asText()).isEqualTo("completed");
        assertThat(http.get("/api/runs/" + id + "/events").body().toString()).contains("C-9 (from-options)");
    }
}
