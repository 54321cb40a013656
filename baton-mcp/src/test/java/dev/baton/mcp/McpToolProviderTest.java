package dev.baton.mcp;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.UserError;
import dev.baton.ToolProviderFailed;
import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.item.ToolOutput;
import dev.baton.model.ModelRequest;
import dev.baton.model.ToolSpec;
import dev.baton.run.RunConfig;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.testing.ScriptedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An agent using the tools of real MCP servers, started with Node: what the model sees, what the server gets. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(120)
class McpToolProviderTest {
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    private McpToolProvider kept(McpToolProvider.Builder builder) {
        McpToolProvider p = builder.build();
        closing.add(p);
        return p;
    }

    private static McpToolProvider.Builder everything() {
        List<String> command = NodeServers.everything();
        return McpToolProvider.stdio("everything", command.getFirst(), command.subList(1, command.size()).toArray(String[]::new));
    }

    private static McpToolProvider.Builder changing() {
        List<String> command = NodeServers.changing();
        return McpToolProvider.stdio("changing", command.getFirst(), command.subList(1, command.size()).toArray(String[]::new));
    }

    private static RunResult run(McpToolProvider provider, ScriptedModel model, String input) {
        Agent<Object> agent = Agent.builder("support").toolProviders(provider).build();
        return Runner.create(RunConfig.builder().defaultModel(model).build()).run(agent, input);
    }

    private static List<String> offered(ModelRequest request) {
        return request.tools().stream().map(ToolSpec::name).toList();
    }

    /** What the model read as the answer to its last call, in the request after it. */
    private static String toolOutput(ModelRequest request) {
        Item last = request.lastInput();
        assertThat(last).isInstanceOf(ToolOutput.class);
        return ((ToolOutput) last).output();
    }

    @Test
    void the_servers_tools_are_offered_with_its_own_schemas_and_a_call_reaches_the_server() {
        McpToolProvider provider = kept(everything().allow("echo", "get-sum"));
        ScriptedModel model = ScriptedModel.create().then(callTool("echo", "{\"message\":\"hello from Baton\"}"), reply("done"));

        RunResult result = run(provider, model, "say hello");

        assertThat(result.finalOutput()).isEqualTo("done");
        ModelRequest first = model.requests().get(0);
        assertThat(offered(first)).containsExactly("echo", "get-sum");
        ToolSpec echo = first.tools().get(0);
        assertThat(echo.parameters().path("properties").has("message")).isTrue();
        assertThat(echo.strict()).as("the server's schema is not closed, so it is not sent as strict").isFalse();
        assertThat(toolOutput(model.requests().get(1))).isEqualTo("Echo: hello from Baton");
    }

    @Test
    void every_tool_the_server_lists_is_there_before_the_allow_list() {
        McpToolProvider provider = kept(everything().allow("echo"));

        assertThat(provider.listTools()).extracting(McpTool::name).contains("echo", "get-sum", "get-tiny-image", "get-structured-content");
        assertThat(provider.listTools()).allSatisfy(t -> assertThat(t.server()).isEqualTo("everything"));
    }

    @Test
    void structured_content_is_read_as_json_when_preferred_and_as_the_servers_text_otherwise() {
        McpToolProvider structured = kept(everything().allow("get-structured-content").preferStructuredContent());
        ScriptedModel model = ScriptedModel.create().then(callTool("get-structured-content", "{\"location\":\"Chicago\"}"), reply("ok"));
        run(structured, model, "weather?");
        String json = toolOutput(model.requests().get(1));
        assertThat(json).startsWith("{").contains("\"temperature\"");

        McpToolProvider text = kept(everything().allow("get-structured-content"));
        ScriptedModel again = ScriptedModel.create().then(callTool("get-structured-content", "{\"location\":\"Chicago\"}"), reply("ok"));
        run(text, again, "weather?");
        assertThat(toolOutput(again.requests().get(1))).contains("temperature");
    }

    @Test
    void an_image_in_a_result_reaches_the_model_as_an_image_after_the_text_around_it() {
        McpToolProvider provider = kept(everything().allow("get-tiny-image"));
        ScriptedModel model = ScriptedModel.create().then(callTool("get-tiny-image"), reply("ok"));

        run(provider, model, "show me");

        ToolOutput output = (ToolOutput) model.requests().get(1).lastInput();
        assertThat(output.output().lines().count()).as("the text parts around the image are kept").isEqualTo(2);
        assertThat(output.output()).doesNotContain("base64");
        assertThat(output.images()).singleElement().satisfies(image -> {
            assertThat(image.mediaType()).isEqualTo("image/png");
            byte[] png = Base64.getDecoder().decode(image.url().substring(image.url().indexOf(',') + 1));
            assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        });
    }

    @Test
    void an_error_result_is_a_tool_error_the_model_reads_and_the_run_goes_on() {
        McpToolProvider provider = kept(everything().allow("get-sum"));
        ScriptedModel model = ScriptedModel.create().then(callTool("get-sum", "{\"a\":\"not a number\",\"b\":2}"), reply("sorry"));

        RunResult result = run(provider, model, "add");

        assertThat(result.finalOutput()).isEqualTo("sorry");
        assertThat(toolOutput(model.requests().get(1))).containsIgnoringCase("error").containsIgnoringCase("number");
    }

    @Test
    void a_prefix_and_a_filter_decide_what_the_model_sees_and_the_server_gets_its_own_names() {
        McpToolProvider provider = kept(everything().prefix("ev_").filter((ctx, tool) -> tool.name().startsWith("get-s")));
        ScriptedModel model = ScriptedModel.create().then(callTool("ev_get-sum", "{\"a\":2,\"b\":40}"), reply("42"));

        run(provider, model, "add");

        assertThat(offered(model.requests().get(0))).containsExactlyInAnyOrder("ev_get-sum", "ev_get-structured-content");
        assertThat(toolOutput(model.requests().get(1))).contains("42");
    }

    @Test
    void a_tool_that_needs_approval_waits_for_a_person_and_is_called_once_approved() {
        McpToolProvider provider = kept(everything().allow("echo").requireApproval("echo"));
        ScriptedModel model = ScriptedModel.create().then(callTool("echo", "{\"message\":\"approved\"}"), reply("done"));
        Agent<Object> agent = Agent.builder("support").toolProviders(provider).build();
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model).build());

        RunResult paused = runner.run(agent, "echo it");
        assertThat(paused.isPaused()).isTrue();
        assertThat(paused.interruptions()).singleElement().satisfies(r -> assertThat(r.toolName()).isEqualTo("echo"));
        assertThat(model.callCount()).isEqualTo(1);

        RunResult done = runner.resume(agent, paused.toState().approve(paused.interruptions().get(0).callId()));
        assertThat(done.finalOutput()).isEqualTo("done");
        assertThat(toolOutput(model.requests().get(1))).isEqualTo("Echo: approved");
    }

    @Test
    void tool_guardrails_check_the_servers_calls_like_any_tools() {
        dev.baton.guardrail.ToolGuardrail<Object> noSecrets = dev.baton.guardrail.ToolGuardrail.input("no secrets",
                (ctx, arguments) -> arguments.contains("password") ? dev.baton.guardrail.ToolGuardrail.Decision.replace("Not sent: it held a password.")
                        : dev.baton.guardrail.ToolGuardrail.Decision.allow());
        McpToolProvider provider = kept(everything().allow("echo").guardrails(noSecrets));
        ScriptedModel model = ScriptedModel.create().then(callTool("echo", "{\"message\":\"my password is hunter2\"}"),
                callTool("echo", "{\"message\":\"hello\"}"), reply("done"));

        run(provider, model, "echo twice");

        assertThat(toolOutput(model.requests().get(1))).isEqualTo("Not sent: it held a password.");
        assertThat(toolOutput(model.requests().get(2))).isEqualTo("Echo: hello");
    }

    @Test
    void when_the_server_changes_its_tools_the_next_turn_is_offered_the_new_list() {
        McpToolProvider provider = kept(changing().deny("crash", "hang"));
        ScriptedModel model = ScriptedModel.create().then(callTool("unlock"), callTool("secret"), reply("42"));

        RunResult result = run(provider, model, "what is the secret?");

        assertThat(result.finalOutput()).isEqualTo("42");
        assertThat(offered(model.requests().get(0))).containsExactly("unlock", "record_note");
        assertThat(offered(model.requests().get(1))).contains("secret");
        assertThat(toolOutput(model.requests().get(2))).isEqualTo("the secret is 42");
    }

    @Test
    void a_server_that_dies_mid_call_is_a_tool_error_naming_it_and_the_next_turn_starts_it_again() {
        McpToolProvider provider = kept(changing().callTimeout(Duration.ofSeconds(5)));
        ScriptedModel model = ScriptedModel.create().then(callTool("crash", "{\"code\":3}"), callTool("unlock"), reply("back"));

        RunResult result = run(provider, model, "go");

        assertThat(result.finalOutput()).isEqualTo("back");
        assertThat(toolOutput(model.requests().get(1))).contains("MCP server 'changing' exited with code 3")
                .contains("crashing on purpose").contains("tool 'crash'");
        assertThat(toolOutput(model.requests().get(2))).isEqualTo("unlocked");
    }

    @Test
    void a_call_that_never_answers_ends_at_the_call_timeout_with_an_error_naming_the_server() {
        McpToolProvider provider = kept(changing().callTimeout(Duration.ofSeconds(2)));
        ScriptedModel model = ScriptedModel.create().then(callTool("hang"), reply("gave up"));

        RunResult result = run(provider, model, "wait");

        assertThat(result.finalOutput()).isEqualTo("gave up");
        assertThat(toolOutput(model.requests().get(1))).contains("MCP server 'changing'").contains("no answer within 2000 ms");
    }

    @Test
    void a_server_that_cannot_start_fails_the_run_with_an_error_naming_it() {
        McpToolProvider provider = kept(McpToolProvider.stdio("tickets", "node", "/no/such/server.js").callTimeout(Duration.ofSeconds(5)));
        ScriptedModel model = ScriptedModel.create().then(reply("never"));

        assertThatThrownBy(() -> run(provider, model, "hi"))
                .isInstanceOfSatisfying(ToolProviderFailed.class, e -> {
                    assertThat(e.provider()).isEqualTo("tickets");
                    assertThat(e.getMessage()).contains("MCP server 'tickets'").contains("exited with code 1")
                            .contains("Cannot find module");
                });
        assertThat(model.callCount()).isZero();
    }

    @Test
    void a_command_that_does_not_exist_fails_the_run_at_once_saying_so() {
        McpToolProvider provider = kept(McpToolProvider.stdio("crm", "no-such-mcp-server-command").callTimeout(Duration.ofSeconds(30)));
        long started = System.nanoTime();

        assertThatThrownBy(() -> run(provider, ScriptedModel.create().then(reply("never")), "hi"))
                .isInstanceOf(ToolProviderFailed.class)
                .hasMessageContaining("MCP server 'crm'")
                .hasMessageContaining("no-such-mcp-server-command");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not the call timeout").isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void the_filesystem_server_reads_a_file_of_the_folder_it_was_given(@TempDir Path folder) throws Exception {
        Files.writeString(folder.resolve("refund-policy.txt"), "Refunds within 30 days.");
        List<String> command = NodeServers.filesystem(folder.toRealPath());
        McpToolProvider files = kept(McpToolProvider.stdio("files", command.getFirst(), command.subList(1, command.size()).toArray(String[]::new))
                .allow("read_text_file", "list_directory"));
        String path = folder.toRealPath().resolve("refund-policy.txt").toString().replace("\\", "\\\\");
        ScriptedModel model = ScriptedModel.create().then(callTool("read_text_file", "{\"path\":\"" + path + "\"}"), reply("30 days"));

        run(files, model, "what is the refund policy?");

        assertThat(toolOutput(model.requests().get(1))).contains("Refunds within 30 days.");
    }

    @Test
    void a_server_over_streamable_http_is_used_like_a_stdio_one() {
        try (NodeServers.Http server = NodeServers.everythingOverHttp()) {
            McpToolProvider provider = kept(McpToolProvider.http("everything-http", server.url()).header("Authorization", "Bearer test")
                    .allow("echo"));
            ScriptedModel model = ScriptedModel.create().then(callTool("echo", "{\"message\":\"over http\"}"), reply("done"));

            run(provider, model, "say it");

            assertThat(toolOutput(model.requests().get(1))).isEqualTo("Echo: over http");
            provider.close();
        }
    }

    @Test
    void a_servers_fingerprint_is_its_command_and_filters_or_the_identity_it_was_given() {
        String here = McpToolProvider.stdio("crm", "/opt/a/node", "crm.js").allow("find").build().fingerprint();
        String there = McpToolProvider.stdio("crm", "/usr/local/b/node", "crm.js").allow("find").build().fingerprint();
        assertThat(here).isNotEqualTo(there).contains("/opt/a/node");

        String named = McpToolProvider.stdio("crm", "/opt/a/node", "crm.js").fingerprint("crm-server").allow("find").build().fingerprint();
        assertThat(McpToolProvider.stdio("crm", "/usr/local/b/node", "crm.js").fingerprint("crm-server").allow("find").build().fingerprint())
                .isEqualTo(named).doesNotContain("/opt/a");
        assertThat(McpToolProvider.stdio("crm", "/opt/a/node", "crm.js").fingerprint("crm-server").allow("find", "delete").build()
                .fingerprint()).as("the tools kept still count").isNotEqualTo(named);
        assertThatThrownBy(() -> McpToolProvider.stdio("crm", "node").fingerprint(" ")).isInstanceOf(UserError.class);
    }
}
