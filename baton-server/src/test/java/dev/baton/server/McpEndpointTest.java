package dev.baton.server;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.item.ToolOutput;
import dev.baton.mcp.McpToolProvider;
import dev.baton.run.RunConfig;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import dev.baton.testing.ScriptedModel;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /mcp/{desk}}: a desk as an MCP server over Streamable HTTP, for the MCP Java SDK's client and for Baton's own. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class McpEndpointTest {
    final ScriptedModel model = ScriptedModel.create();
    final InMemorySessionStore sessions = new InMemorySessionStore();
    BatonServer server;

    void serve() {
        server = Desk.server(model, sessions).desk("support", Desk.triage()).build().start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> structured(McpSchema.CallToolResult result) {
        return (Map<String, Object>) result.structuredContent();
    }

    @Test
    void the_sdk_client_sends_a_message_to_the_desk_continues_the_session_and_hears_what_waits_for_approval() {
        model.forAgent("triage", handoffTo("billing"))
                .forAgent("billing", reply("Order O-1 ships tomorrow."), callTool("issue_refund", "{\"order_id\":\"O-1\"}"));
        serve();
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(server.url().toString().replaceAll("/$", ""))
                .endpoint("/mcp/support").build();
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
        try {
            client.initialize();
            assertThat(client.getServerInfo().name()).isEqualTo("baton-support");
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactly("send_message");

            Map<String, Object> first = structured(client.callTool(new McpSchema.CallToolRequest("send_message",
                    Map.of("message", "Where is my order O-1?"))));
            assertThat(first.get("agent")).isEqualTo("billing");
            assertThat(first.get("answer")).isEqualTo("Order O-1 ships tomorrow.");
            String session = (String) first.get("session");
            assertThat(sessions.activeAgent(session)).contains("billing");

            McpSchema.CallToolResult second = client.callTool(new McpSchema.CallToolRequest("send_message",
                    Map.of("message", "Refund it, please.", "session", session)));
            assertThat(structured(second).get("waiting_for_approval")).asList().singleElement()
                    .satisfies(call -> assertThat(((Map<?, ?>) call).get("tool")).isEqualTo("issue_refund"));

            McpSchema.CallToolResult refused = client.callTool(new McpSchema.CallToolRequest("send_message",
                    Map.of("message", "Hello?", "session", session)));
            assertThat(refused.isError()).isTrue();
            assertThat(((McpSchema.TextContent) refused.content().getFirst()).text()).contains("waits for approval of issue_refund");
        } finally {
            client.closeGracefully();
        }
    }

    @Test
    void a_baton_agent_uses_a_desk_served_over_mcp_as_a_tool() {
        model.forAgent("triage", handoffTo("billing")).forAgent("billing", reply("Order O-7 was delivered on Monday."));
        serve();
        ScriptedModel assistant = ScriptedModel.create()
                .then(callTool("desk_send_message", "{\"message\":\"Where is order O-7?\"}"), reply("It came on Monday."));
        try (McpToolProvider desk = McpToolProvider.http("support-desk", server.url() + "mcp/support").prefix("desk_").build()) {
            Agent<Object> agent = Agent.builder("assistant").toolProviders(desk).build();

            RunResult result = Runner.create(RunConfig.builder().defaultModel(assistant).build()).run(agent, "where is O-7?");

            assertThat(result.finalOutput()).isEqualTo("It came on Monday.");
            assertThat(((ToolOutput) assistant.requests().get(1).lastInput()).output()).contains("Order O-7 was delivered on Monday.");
        }
    }

    @Test
    void a_get_is_answered_405_as_a_stateless_endpoint_does_and_an_unknown_desk_404() throws Exception {
        serve();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(server.url() + "mcp/support"))
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");

        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(server.url() + "mcp/nope"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);

        HttpResponse<String> garbage = http.send(HttpRequest.newBuilder(URI.create(server.url() + "mcp/support"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("not json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("-32700");
    }
}
