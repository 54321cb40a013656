package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code baton mcp --desk support} in a child JVM, as MCP clients start it: the MCP Java SDK's
 * client, and the MCP Inspector's command-line mode from the npm registry (a client that is not ours).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(180)
class McpCommandTest {

    private static List<String> batonMcp(Path db, String... more) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                BatonCli.class.getName(), "--db", db.toString(), "--create-db", "--model", "offline", "mcp", "--desk", "support"));
        command.addAll(List.of(more));
        return command;
    }

    private static McpSyncClient client(List<String> command) {
        StdioClientTransport transport = new StdioClientTransport(
                ServerParameters.builder(command.getFirst()).args(command.subList(1, command.size())).build(), McpJsonDefaults.getMapper());
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build();
    }

    @Test
    void with_tools_the_desks_lookups_are_served_too_and_tools_that_need_approval_are_not(@TempDir Path dir) {
        McpSyncClient client = client(batonMcp(dir.resolve("baton.db"), "--tools"));
        try {
            client.initialize();
            List<String> names = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            assertThat(names).contains("send_message", "get_invoice").doesNotContain("process_refund");

            McpSchema.CallToolResult invoice = client.callTool(new McpSchema.CallToolRequest("get_invoice", Map.of("invoice_id", "INV-8821")));
            assertThat(invoice.isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(((McpSchema.TextContent) invoice.content().getFirst()).text()).contains("INV-8821");
        } finally {
            client.closeGracefully();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> structured(McpSchema.CallToolResult result) {
        return (Map<String, Object>) result.structuredContent();
    }

    @Test
    void a_desk_served_over_stdio_answers_the_sdk_client_and_says_what_waits_for_approval(@TempDir Path dir) {
        McpSyncClient client = client(batonMcp(dir.resolve("baton.db")));
        try {
            client.initialize();
            assertThat(client.getServerInfo().name()).isEqualTo("baton-support");
            McpSchema.Tool tool = client.listTools().tools().getFirst();
            assertThat(tool.name()).isEqualTo("send_message");
            assertThat(tool.inputSchema()).containsKey("properties");

            McpSchema.CallToolResult first = client.callTool(new McpSchema.CallToolRequest("send_message",
                    Map.of("message", "Hi, I was charged $99 twice last month for invoice INV-8821. Can I get a refund?")));
            assertThat(first.isError()).isNotEqualTo(Boolean.TRUE);
            Map<String, Object> answer = structured(first);
            assertThat((String) answer.get("session")).startsWith("support-");
            assertThat(answer.get("agent")).isEqualTo("billing_specialist");
            assertThat((String) answer.get("answer")).containsIgnoringCase("refund");
            assertThat((List<?>) answer.get("waiting_for_approval")).isEmpty();

            McpSchema.CallToolResult second = client.callTool(new McpSchema.CallToolRequest("send_message", Map.of(
                    "message", "Please refund $450 for invoice INV-9000, we were billed for 5 seats we never used.",
                    "session", answer.get("session"))));
            List<Map<String, Object>> waiting = (List<Map<String, Object>>) structured(second).get("waiting_for_approval");
            assertThat(waiting).singleElement().satisfies(call -> {
                assertThat(call.get("tool")).isEqualTo("process_refund");
                assertThat((String) call.get("arguments")).contains("INV-9000");
            });
            assertThat(((McpSchema.TextContent) second.content().getFirst()).text()).contains("Waiting for a person to approve process_refund");

            McpSchema.CallToolResult refused = client.callTool(new McpSchema.CallToolRequest("send_message",
                    Map.of("message", "and another thing", "session", answer.get("session"))));
            assertThat(refused.isError()).isTrue();
            assertThat(((McpSchema.TextContent) refused.content().getFirst()).text()).contains("waits for approval of process_refund");

            McpSchema.CallToolResult empty = client.callTool(new McpSchema.CallToolRequest("send_message", Map.of("message", " ")));
            assertThat(empty.isError()).isTrue();
        } finally {
            client.closeGracefully();
        }
    }

    @Test
    void the_mcp_inspectors_command_line_lists_the_desks_tool_and_sends_it_a_message(@TempDir Path dir) throws Exception {
        Path clients = installInspector();
        List<String> server = batonMcp(dir.resolve("baton.db"));

        String listed = inspector(clients, server, "--method", "tools/list");
        assertThat(listed).contains("\"send_message\"").contains("\"session\"");

        String called = inspector(clients, server, "--method", "tools/call", "--tool-name", "send_message",
                "--tool-arg", "message=Hi, I was charged $99 twice last month for invoice INV-8821. Can I get a refund?");
        assertThat(called).contains("\"agent\": \"billing_specialist\"").contains("\"session\": \"support-");
    }

    private static String inspector(Path clients, List<String> server, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", clients.resolve("node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js").toString(),
                "--cli"));
        command.addAll(server);
        command.addAll(List.of(args));
        Path out = Files.createTempFile("inspector", ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the MCP Inspector did not finish within 120 s: " + Files.readString(out));
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }

    /** The Inspector from the npm registry, pinned by src/test/node's lock file, installed once into target/mcp-clients. */
    private static synchronized Path installInspector() throws Exception {
        Path source = Path.of("src", "test", "node").toAbsolutePath();
        Path dir = Path.of("target", "mcp-clients").toAbsolutePath();
        Files.createDirectories(dir);
        boolean fresh = Files.exists(dir.resolve("node_modules/.package-lock.json"))
                && Files.readString(dir.resolve("package-lock.json")).equals(Files.readString(source.resolve("package-lock.json")));
        for (String f : List.of("package.json", "package-lock.json")) {
            Files.copy(source.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!fresh) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("npm-ci.log").toFile()).start();
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                npm.destroyForcibly();
                throw new IllegalStateException("npm ci of the MCP Inspector failed: " + Files.readString(dir.resolve("npm-ci.log")));
            }
        }
        return dir;
    }
}
