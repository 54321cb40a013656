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
}
