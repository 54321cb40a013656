package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.testing.ScriptedModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class DesksApiTest {
    static BatonServer server;
    static Http http;

    @BeforeAll
    static void start() {
        server = Desk.server(ScriptedModel.create())
                .desk("support", Desk.triage())
                .desk("refunds", Desk.billing())
                .build()
                .start();
        http = new Http(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void the_server_listens_on_loopback_on_the_port_the_system_chose() {
        assertThat(server.port()).isPositive();
        assertThat(server.url().toString()).isEqualTo("http://127.0.0.1:" + server.port() + "/");
    }

    @Test
    void health_says_ok() {
        Http.Answer health = http.get("/api/health");

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(health.body().toString()).isEqualTo("{\"status\":\"ok\"}");
    }

    @Test
    void the_desk_list_names_each_desk_with_its_entry_agent() {
        Http.Answer desks = http.get("/api/desks");

        assertThat(desks.status()).isEqualTo(200);
        List<String> rows = new ArrayList<>();
        desks.body().get("desks").forEach(d -> rows.add(d.get("name").asText() + " -> " + d.get("entryAgent").asText()
                + " (" + d.get("agentCount").asInt() + ")"));
        assertThat(rows).containsExactly("refunds -> billing (1)", "support -> triage (2)");
    }

    @Test
    void a_desk_shows_its_agents_with_their_tools_and_handoff_targets() {
        Http.Answer support = http.get("/api/desks/support");

        assertThat(support.status()).isEqualTo(200);
        JsonNode body = support.body();
        assertThat(body.get("name").asText()).isEqualTo("support");
        assertThat(body.get("entryAgent").asText()).isEqualTo("triage");
        JsonNode triage = body.get("agents").get(0);
        assertThat(triage.get("name").asText()).isEqualTo("triage");
        assertThat(triage.get("entry").asBoolean()).isTrue();
        assertThat(triage.get("handoffs").toString()).isEqualTo("[\"billing\"]");
        assertThat(triage.get("tools")).isEmpty();
        JsonNode billing = body.get("agents").get(1);
        assertThat(billing.get("name").asText()).isEqualTo("billing");
        assertThat(billing.get("entry").asBoolean()).isFalse();
        assertThat(billing.get("description").asText()).isEqualTo("Charges, invoices and refunds.");
        List<String> tools = new ArrayList<>();
        billing.get("tools").forEach(t -> tools.add(t.get("name").asText() + (t.get("requiresApproval").asBoolean() ? " (approval)" : "")));
        assertThat(tools).containsExactly("look_up_order", "issue_refund (approval)");
    }

    @Test
    void a_desk_shows_its_handoff_graph_as_nodes_and_edges() {
        JsonNode graph = http.get("/api/desks/support").body().get("graph");

        List<String> nodes = new ArrayList<>();
        graph.get("nodes").forEach(n -> nodes.add(n.get("id").asText() + (n.get("entry").asBoolean() ? " (entry)" : "")));
        assertThat(nodes).containsExactly("triage (entry)", "billing");
        List<String> edges = new ArrayList<>();
        graph.get("edges").forEach(e -> edges.add(e.get("from").asText() + " -> " + e.get("to").asText() + " via " + e.get("tool").asText()));
        assertThat(edges).containsExactly("triage -> billing via transfer_to_billing");
    }

    @Test
    void a_desk_of_one_agent_has_one_node_and_no_edges() {
        JsonNode refunds = http.get("/api/desks/refunds").body();

        assertThat(refunds.get("graph").get("nodes")).hasSize(1);
        assertThat(refunds.get("graph").get("edges")).isEmpty();
    }
}
