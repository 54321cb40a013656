package dev.baton.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.UserError;
import dev.baton.tool.Tool;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** A desk's MCP server as a web server's route sees it: JSON-RPC in, JSON-RPC out. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class McpDeskServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Lookup(String invoiceId) {}

    private static final Tool<Object> LOOKUP = Tool.<Object, Lookup>of("get_invoice", "Finds an invoice.", Lookup.class,
            (ctx, a) -> new Invoice(a.invoiceId(), 99));

    record Invoice(String id, int amount) {}

    private final McpDeskServer server = McpDeskServer.builder("support", (session, message) -> {
        if (message.equals("refund")) {
            return new McpDeskServer.Reply(session == null ? "s-1" : session, "billing", "",
                    List.of(new McpDeskServer.PendingCall("run_1", "call_1", "billing", "process_refund", "{\"amount\":450}")));
        }
        if (message.equals("busy")) {
            throw new McpDeskServer.Refused("session s-1 waits for approval");
        }
        return new McpDeskServer.Reply(session == null ? "s-1" : session, "billing", "You said " + message, List.of());
    }).tools(List.of(LOOKUP), () -> null).build();

    private JsonNode post(String json) throws Exception {
        McpDeskServer.HttpReply reply = server.handleHttp("POST", json.getBytes(StandardCharsets.UTF_8));
        assertThat(reply.status()).isEqualTo(200);
        return JSON.readTree(reply.body());
    }

    private JsonNode call(String tool, String arguments) throws Exception {
        return post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + arguments
                + "}}").path("result");
    }

    @Test
    void it_initializes_and_lists_send_message_and_the_served_tools() throws Exception {
        JsonNode init = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}}");
        assertThat(init.path("result").path("serverInfo").path("name").asText()).isEqualTo("support");
        assertThat(server.handleHttp("POST", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}".getBytes(StandardCharsets.UTF_8))
                .status()).isEqualTo(202);

        JsonNode tools = post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}").path("result").path("tools");
        assertThat(tools.findValuesAsText("name")).containsExactly("send_message", "get_invoice");
        assertThat(tools.get(1).path("inputSchema").path("properties").has("invoice_id")).isTrue();
    }

    @Test
    void send_message_returns_the_answer_as_text_and_structured_content() throws Exception {
        JsonNode result = call("send_message", "{\"message\":\"hello\"}");
        assertThat(result.path("content").get(0).path("text").asText()).isEqualTo("You said hello");
        assertThat(result.path("structuredContent").path("session").asText()).isEqualTo("s-1");
        assertThat(result.path("structuredContent").path("agent").asText()).isEqualTo("billing");
    }

    @Test
    void a_call_waiting_for_approval_is_named_in_the_text_and_listed() throws Exception {
        JsonNode result = call("send_message", "{\"message\":\"refund\",\"session\":\"s-1\"}");
        assertThat(result.path("content").get(0).path("text").asText()).contains("Waiting for a person to approve process_refund");
        assertThat(result.path("structuredContent").path("waiting_for_approval").get(0).path("call_id").asText()).isEqualTo("call_1");
    }

    @Test
    void a_refused_message_and_bad_arguments_are_error_results() throws Exception {
        JsonNode refused = call("send_message", "{\"message\":\"busy\"}");
        assertThat(refused.path("isError").asBoolean()).isTrue();
        assertThat(refused.path("content").get(0).path("text").asText()).contains("waits for approval");

        assertThat(call("send_message", "{\"message\":42}").path("isError").asBoolean()).isTrue();
        assertThat(call("send_message", "{}").path("isError").asBoolean()).isTrue();
    }

    @Test
    void a_served_tool_is_called_directly_and_its_result_is_json() throws Exception {
        JsonNode result = call("get_invoice", "{\"invoice_id\":\"INV-1\"}");
        assertThat(JSON.readTree(result.path("content").get(0).path("text").asText()).path("amount").asInt()).isEqualTo(99);
    }

    @Test
    void a_tool_that_needs_approval_is_not_served_directly() {
        Tool<Object> refund = LOOKUP.requiringApproval();
        assertThatThrownBy(() -> McpDeskServer.builder("support", (s, m) -> null).tools(List.of(refund), () -> null))
                .isInstanceOf(UserError.class).hasMessageContaining("needs approval");
    }

    @Test
    void a_get_is_405_and_a_body_that_is_not_json_rpc_400() {
        assertThat(server.handleHttp("GET", new byte[0]).status()).isEqualTo(405);
        McpDeskServer.HttpReply garbage = server.handleHttp("POST", "nope".getBytes(StandardCharsets.UTF_8));
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(new String(garbage.body(), StandardCharsets.UTF_8)).contains("-32700");
    }
}
