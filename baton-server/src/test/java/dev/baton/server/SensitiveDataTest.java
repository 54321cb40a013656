package dev.baton.server;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.item.Image;
import dev.baton.run.RunConfig;
import dev.baton.run.Runner;
import dev.baton.testing.ScriptedModel;
import dev.baton.tool.Tool;
import dev.baton.tool.ToolAnswer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** With sensitive data off, tool arguments and results are hidden in the API and the web UI alike. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class SensitiveDataTest {
    static final String ORDER = "A-secret-4242";
    static final String SESSION = "ticket-secret-test";

    BatonServer server;
    Http http;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static ScriptedModel model() {
        return ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"))
                .forAgent("billing", callTool("look_up_order", new Desk.Refund(ORDER)), callTool("issue_refund", new Desk.Refund(ORDER)),
                        reply("Refunded."));
    }

    /** Runs until the refund waits for approval, and returns the run id. */
    String pausedRun() {
        http = new Http(server);
        Http.Answer started = http.post("/api/desks/support/runs",
                "{\"input\": \"Refund my order, please.\", \"session\": \"" + SESSION + "\"}");
        String id = started.body().get("id").asText();
        assertThat(http.awaitEnd(id).get("status").asText()).isEqualTo("paused");
        return id;
    }

    String text(String path) {
        return http.page(path);
    }

    @Test
    void off_the_events_stream_approvals_and_pages_show_hidden_in_place_of_arguments_and_results() throws Exception {
        server = Desk.server(model()).desk("support", Desk.triage()).sensitiveData(false).build().start();
        String id = pausedRun();

        for (String path : new String[] {"/api/runs/" + id + "/events", "/api/runs/" + id + "/stream", "/api/approvals",
                "/api/runs/" + id + "/approvals", "/ui/runs/" + id, "/ui/runs/" + id + "/entries?from=0", "/ui/approvals",
                "/ui/chat?desk=support&session=" + SESSION}) {
            String body = text(path);
            assertThat(body).as(path).doesNotContain(ORDER).contains(Privacy.HIDDEN);
        }
        // What is not an argument or a result stays: the tools called, the conversation, the agents.
        assertThat(text("/ui/runs/" + id)).contains("look_up_order").contains("issue_refund").contains("Refund my order, please.")
                .contains("triage → billing");
    }

    @Test
    void on_by_default_they_are_shown() throws Exception {
        server = Desk.server(model()).desk("support", Desk.triage()).build().start();
        String id = pausedRun();

        assertThat(text("/api/runs/" + id + "/events")).contains(ORDER).contains("order " + ORDER);
        assertThat(text("/api/approvals")).contains(ORDER);
        assertThat(text("/ui/runs/" + id)).contains(ORDER).doesNotContain(Privacy.HIDDEN);
    }

    @Test
    void a_runner_that_keeps_sensitive_data_out_of_traces_keeps_it_off_the_screen_too() throws Exception {
        Runner runner = Runner.create(RunConfig.builder().defaultModel(model()).traceIncludeSensitiveData(false).build());
        server = BatonServer.builder().runner(runner).port(0).desk("support", Desk.triage()).build().start();
        String id = pausedRun();

        assertThat(text("/api/runs/" + id + "/events")).doesNotContain(ORDER);
        assertThat(text("/ui/runs/" + id)).doesNotContain(ORDER);
    }

    @Test
    void off_the_images_of_tool_results_are_hidden_too() throws Exception {
        String scan = java.util.Base64.getEncoder().encodeToString(BrowserTest.png(8, 8));
        Tool<Void> receipt = Tool.<Void, Desk.Refund>of("get_receipt", "Show an order's receipt.", Desk.Refund.class,
                (ctx, r) -> ToolAnswer.of("Receipt:", Image.ofBase64("image/png", scan)));
        ScriptedModel model = ScriptedModel.create().then(callTool("get_receipt", new Desk.Refund(ORDER)), reply("Here it is."));
        server = Desk.server(model).desk("support", Agent.<Void>builder("billing").tools(receipt).build()).sensitiveData(false)
                .build().start();
        http = new Http(server);
        String id = http.post("/api/desks/support/runs", "{\"input\": \"My receipt, please.\"}").body().get("id").asText();
        assertThat(http.awaitEnd(id).get("status").asText()).isEqualTo("completed");

        for (String path : new String[] {"/api/runs/" + id + "/events", "/ui/runs/" + id, "/ui/runs/" + id + "/entries?from=0"}) {
            assertThat(text(path)).as(path).doesNotContain(scan.substring(0, 16)).contains(Privacy.HIDDEN);
        }
        assertThat(text("/ui/runs/" + id)).contains("[image hidden]");
    }
}
