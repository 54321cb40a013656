package dev.baton.cli.desk;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The help center's MCP server in a child JVM, started with the command the support desk uses,
 * and talked to by the MCP Java SDK's client: a client that is not Baton's.
 */
@DisplayName("The help center's MCP server")
@Timeout(120)
class KnowledgeBaseServerTest {
    static McpSyncClient client;

    @BeforeAll
    static void start() {
        List<String> command = HelpCenter.command();
        StdioClientTransport transport = new StdioClientTransport(
                ServerParameters.builder(command.getFirst()).args(command.subList(1, command.size())).build(), McpJsonDefaults.getMapper());
        client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).initializationTimeout(Duration.ofSeconds(60)).build();
        client.initialize();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.closeGracefully();
        }
    }

    static McpSchema.CallToolResult search(Map<String, Object> arguments) {
        return client.callTool(new McpSchema.CallToolRequest(KnowledgeBaseServer.TOOL, arguments));
    }

    static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().getFirst()).text();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> articles(McpSchema.CallToolResult result) {
        return (List<Map<String, Object>>) ((Map<String, Object>) result.structuredContent()).get("articles");
    }

    @Test
    void it_serves_one_read_only_search_tool_with_a_strict_input_schema() {
        assertThat(client.getServerInfo().name()).isEqualTo("help-center");
        assertThat(client.listTools().tools()).singleElement().satisfies(tool -> {
            assertThat(tool.name()).isEqualTo("search_help_articles");
            assertThat(tool.description()).contains("single sign-on");
            assertThat(tool.inputSchema()).containsEntry("required", List.of("query")).containsEntry("additionalProperties", false);
            assertThat(tool.outputSchema()).containsKey("properties");
            assertThat(tool.annotations().readOnlyHint()).isTrue();
        });
    }

    @Test
    void a_question_on_single_sign_on_with_okta_gets_the_okta_article_with_its_steps_first() {
        McpSchema.CallToolResult r = search(Map.of("query", "How do I set up single sign-on with Okta for my team?"));

        assertThat(r.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(text(r)).startsWith("KB-1042 \"Set up single sign-on (SAML) with Okta\"")
                .contains("\n1. In the Okta Admin Console").contains("\n5. ")
                .contains("Also matching: KB-1043 \"Set up single sign-on (SAML) with Microsoft Entra ID\"");
        assertThat(articles(r)).extracting(a -> a.get("id")).containsExactly("KB-1042", "KB-1043");
        assertThat(articles(r).getFirst()).satisfies(a -> {
            assertThat(a.get("title")).isEqualTo("Set up single sign-on (SAML) with Okta");
            assertThat((List<?>) a.get("steps")).hasSize(5);
            assertThat((Integer) a.get("score")).isGreaterThan((Integer) articles(r).get(1).get("score"));
        });
        assertThat(((Map<?, ?>) r.structuredContent()).get("query")).isEqualTo("How do I set up single sign-on with Okta for my team?");
    }

    @Test
    void words_written_another_way_find_the_same_articles() {
        assertThat(articles(search(Map.of("query", "SSO Okta")))).first().extracting(a -> a.get("id")).isEqualTo("KB-1042");
        assertThat(articles(search(Map.of("query", "single signon okta team")))).first().extracting(a -> a.get("id"))
                .isEqualTo("KB-1042");
        assertThat(articles(search(Map.of("query", "Azure AD single sign on")))).first().extracting(a -> a.get("id"))
                .isEqualTo("KB-1043");
        McpSchema.CallToolResult keys = search(Map.of("query", "rotate an API key"));
        assertThat(text(keys)).startsWith("KB-2010 \"Create and rotate API keys\"").doesNotContain("Also matching");
        assertThat(articles(keys)).as("not two-factor authentication, for its one word 'key'").extracting(a -> a.get("id"))
                .containsExactly("KB-2010");
        assertThat(articles(search(Map.of("query", "verify webhook signatures")))).extracting(a -> a.get("id")).containsExactly("KB-2015");
        assertThat(articles(search(Map.of("query", "export our data as CSV")))).first().extracting(a -> a.get("id")).isEqualTo("KB-3001");
        assertThat(articles(search(Map.of("query", "add 3 seats")))).first().extracting(a -> a.get("id")).isEqualTo("KB-3020");
        assertThat(articles(search(Map.of("query", "require 2FA")))).first().extracting(a -> a.get("id")).isEqualTo("KB-1050");
    }

    @Test
    void a_query_no_article_matches_is_answered_so_with_what_the_help_center_covers() {
        McpSchema.CallToolResult r = search(Map.of("query", "quantum teleportation"));

        assertThat(r.isError()).isNotEqualTo(Boolean.TRUE);
        assertThat(text(r)).startsWith("No help article matches \"quantum teleportation\".")
                .contains("Set up single sign-on (SAML) with Okta").contains("Create and rotate API keys");
        assertThat(articles(r)).isEmpty();
    }

    @Test
    void a_blank_or_missing_query_is_an_error_result_that_says_what_to_send() {
        McpSchema.CallToolResult blank = search(Map.of("query", "   "));
        assertThat(blank.isError()).isTrue();
        assertThat(text(blank)).contains("'query' is blank").contains("single sign-on Okta");

        McpSchema.CallToolResult missing = search(Map.of());
        assertThat(missing.isError()).isTrue();
        assertThat(text(missing)).containsIgnoringCase("query");

        McpSchema.CallToolResult tooLong = search(Map.of("query", "okta ".repeat(200)));
        assertThat(tooLong.isError()).isTrue();
        assertThat(text(tooLong)).contains("at most 500");
    }
}
