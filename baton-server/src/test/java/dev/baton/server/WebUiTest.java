package dev.baton.server;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.fail;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.ScriptedModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class WebUiTest {
    static final String SCRIPT = "<script>alert(1)</script>";
    static final String ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;";

    BatonServer server;
    Http http;



    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The support desk: triage hands off to billing, which looks the order up and answers. */
    void serveSupport(String orderId) {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"))
                .forAgent("billing", callTool("look_up_order", new Desk.Refund(orderId)), reply("Your order is on its way."));
        server = Desk.server(model).desk("support", Desk.triage()).desk("refunds", Desk.billing()).build().start();
        http = new Http(server);
    }

    String finishedRun(String input) {
        Http.Answer started = http.post("/api/desks/support/runs", "{\"input\": " + quoted(input) + "}");
        assertThat(started.status()).as(started.body().toString()).isEqualTo(201);
        String id = started.body().get("id").asText();
        assertThat(http.awaitEnd(id).get("status").asText()).isEqualTo("completed");
        return id;
    }

    FormClient.Page page(String path, @Nullable String token) {
        return new FormClient(server).get(path, token);
    }

    FormClient.Page page(String path) {
        return page(path, null);
    }

    /** The status of a request whose path is sent exactly as given, dots and all (no client normalizes it). */
    int rawStatus(String path) throws IOException {
        URI url = server.url();
        try (Socket socket = new Socket(url.getHost(), url.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + url.getHost() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                assertThat(c).as("the answer's head ends").isNotNegative();
                head.append((char) c);
            }
            Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
            String body = length.find() ? new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8) : "";
            assertThat(body).doesNotContain("\"openapi\"").doesNotContain("root:");
            return Integer.parseInt(head.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
        }
    }

    static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static int count(String text, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part), Pattern.CASE_INSENSITIVE).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void the_root_sends_the_browser_to_the_runs_page() {
        serveSupport("A-1");

        FormClient.Page root = page("/");

        assertThat(root.status()).isEqualTo(303);
        assertThat(root.headers().firstValue("Location")).hasValue("/ui/runs");
    }

    @Test
    void the_runs_page_lists_a_run_started_over_the_api_with_its_desk_status_path_and_link() {
        serveSupport("A-1");
        String id = finishedRun("Where is my order A-1?");

        FormClient.Page runs = page("/ui/runs");

        assertThat(runs.status()).isEqualTo(200);
        assertThat(runs.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(runs.html())
                .contains("href=\"/ui/runs/" + id + "\"")
                .contains("<td>support</td>")
                .contains("status-completed")
                .contains("triage → billing")
                .contains("<form class=\"filters\" method=\"get\" action=\"/ui/runs\">")
                .contains("data-refresh=\"/ui/runs/table?desk=&amp;status=\"");
        assertThat(page("/ui/runs/table").html()).contains("href=\"/ui/runs/" + id + "\"").doesNotContain("<html");
    }

    @Test
    void runs_started_within_the_same_minute_are_told_apart_by_their_short_ids() {
        serveSupport("A-1");
        String first = finishedRun("Where is my order A-1?");
        String second = http.post("/api/desks/support/runs", "{\"input\": \"And my order A-2?\"}").body().get("id").asText();
        http.awaitEnd(second); // its script is spent: it fails, and is listed all the same

        String html = page("/ui/runs").html();

        String firstLabel = WebUi.shortId(first);
        String secondLabel = WebUi.shortId(second);
        assertThat(firstLabel).as("ids begin with their millisecond; the label shows their random end").isNotEqualTo(secondLabel)
                .startsWith("run_").endsWith(first.substring(first.length() - 8));
        assertThat(html).contains(">" + firstLabel + "</a>").contains(">" + secondLabel + "</a>");
    }

    @Test
    void the_runs_page_filters_by_desk_and_status_and_refuses_an_unknown_status() {
        serveSupport("A-1");
        String id = finishedRun("Where is my order A-1?");

        assertThat(page("/ui/runs?desk=support&status=completed").html()).contains("/ui/runs/" + id);
        assertThat(page("/ui/runs?desk=refunds").html()).doesNotContain("/ui/runs/" + id).contains("No runs yet.");
        assertThat(page("/ui/runs/table?status=failed").html()).doesNotContain("/ui/runs/" + id);
        FormClient.Page bad = page("/ui/runs?status=" + "%3Cb%3Ebogus");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.html()).contains("&lt;b&gt;bogus").doesNotContain("<b>bogus");
    }

    @Test
    void a_paused_run_shows_the_waiting_for_approval_badge_and_its_approval_request() {
        ScriptedModel model = ScriptedModel.create()
                .forAgent("billing", callTool("issue_refund", new Desk.Refund("A-1")), reply("Refund done."));
        server = Desk.server(model).desk("refunds", Desk.billing()).build().start();
        http = new Http(server);
        String id = http.post("/api/desks/refunds/runs", "{\"input\": \"Refund order A-1 please\"}").body().get("id").asText();
        assertThat(http.awaitEnd(id).get("status").asText()).isEqualTo("paused");

        assertThat(page("/ui/runs").html()).contains("status-paused").contains("waiting for approval");
        assertThat(page("/ui/runs/" + id).html())
                .contains("waiting for approval")
                .contains("Approval requested")
                .contains("<code>issue_refund</code>")
                .contains("Paused");
    }

    @Test
    void the_run_page_shows_the_timeline_in_order_the_output_and_the_path_on_the_handoff_graph() {
        serveSupport("A-7");
        String id = finishedRun("Where is my order A-7?");

        FormClient.Page run = page("/ui/runs/" + id);

        assertThat(run.status()).isEqualTo(200);
        String html = run.html();
        int started = html.indexOf("<span class=\"label\">Run started</span>");
        int handoff = html.indexOf("<span class=\"label\">Handoff</span>");
        int call = html.indexOf("<span class=\"label\">Tool call</span>");
        int result = html.indexOf("<span class=\"label\">Tool result</span>");
        int answer = html.indexOf("<span class=\"label\">Final answer</span>");
        assertThat(started).isPositive();
        assertThat(handoff).isGreaterThan(started);
        assertThat(call).isGreaterThan(handoff);
        assertThat(result).isGreaterThan(call);
        assertThat(answer).isGreaterThan(result);
        assertThat(html.substring(handoff, call)).contains("triage → billing");
        assertThat(html.substring(call, result)).contains("<code>look_up_order</code>").contains("A-7");
        assertThat(html.substring(result, answer)).contains("order A-7");
        assertThat(html.substring(answer)).contains("Your order is on its way.");
        assertThat(html).contains("<h2>Output</h2>").contains("Model response").contains("tokens");
        assertThat(html).contains("<li class=\"edge on-path\">triage → billing <span class=\"badge\">this run</span></li>");
        assertThat(html).contains("data-live=\"false\"");
    }

    @Test
    void the_timeline_tells_each_model_and_tool_calls_latency() {
        serveSupport("A-7");
        String id = finishedRun("Where is my order A-7?");

        String html = page("/ui/runs/" + id).html();

        Matcher latency = Pattern.compile("<span class=\"label\">(Model response|Tool result)</span>.*?</time> · (\\d+) ms").matcher(html);
        int found = 0;
        while (latency.find()) {
            found++;
        }
        assertThat(found).as("two model responses of billing, one of triage, one tool result").isEqualTo(4);
    }

    @Test
    void a_failed_run_shows_its_error_escaped_on_the_page_and_in_the_timeline() {
        ScriptedModel model = ScriptedModel.create().forAgent("billing", fail(new IllegalStateException("upstream <b>down</b>")));
        server = Desk.server(model).desk("refunds", Desk.billing()).build().start();
        http = new Http(server);
        String id = http.post("/api/desks/refunds/runs", "{\"input\": \"Refund A-1\"}").body().get("id").asText();
        assertThat(http.awaitEnd(id).get("status").asText()).isEqualTo("failed");

        String html = page("/ui/runs/" + id).html();

        assertThat(html).contains("status-failed").contains("<h2>Error</h2>").contains("<span class=\"label\">Error</span>")
                .contains("upstream &lt;b&gt;down&lt;/b&gt;").doesNotContain("<b>down</b>").doesNotContain("<h2>Output</h2>");
    }

    @Test
    void the_entries_fragment_gives_the_timeline_from_an_event_on() {
        serveSupport("A-1");
        String id = finishedRun("Where is my order A-1?");

        String all = page("/ui/runs/" + id + "/entries").html();
        String later = page("/ui/runs/" + id + "/entries?from=1").html();

        assertThat(all).contains("id=\"event-0\"").contains("Final answer").doesNotContain("<html");
        assertThat(later).doesNotContain("id=\"event-0\"").contains("Final answer");
        assertThat(page("/ui/runs/nope/entries").status()).isEqualTo(404);
    }

    @Test
    void model_tool_and_user_text_is_escaped_so_no_script_of_theirs_reaches_the_page() {
        serveSupport(SCRIPT);
        String id = finishedRun("Hello " + SCRIPT);

        String html = page("/ui/runs/" + id).html();

        // The tool's result ("order <script>...") and arguments, and the input, all appear escaped.
        assertThat(html).contains("order " + ESCAPED).contains("Hello " + ESCAPED);
        assertThat(count(html, ESCAPED)).isGreaterThanOrEqualTo(3);
        assertThat(html).doesNotContain(SCRIPT);
        // The only script element is the UI's own.
        assertThat(count(html, "<script")).isEqualTo(1);
        assertThat(html).contains("<script src=\"/ui/assets/baton.js\" defer></script>");
        assertThat(page("/ui/runs/" + id).headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(v -> assertThat(v).contains("default-src 'self'"));
    }

    @Test
    void the_stylesheet_and_script_are_served_from_the_jar() {
        serveSupport("A-1");

        FormClient.Page css = page("/ui/assets/baton.css");
        FormClient.Page js = page("/ui/assets/baton.js");

        assertThat(css.status()).isEqualTo(200);
        assertThat(css.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/css"));
        assertThat(css.html()).contains("ol.timeline");
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.html()).contains("EventSource");
        assertThat(page("/ui/assets/nothing.css").status()).isEqualTo(404);
    }

    @Test
    void an_asset_path_cannot_leave_the_asset_folder() throws IOException {
        serveSupport("A-1");

        // openapi.json lies next to the asset folder in the jar; none of these may reach it or anything else.
        assertThat(rawStatus("/ui/assets/../openapi.json")).isEqualTo(404);
        assertThat(rawStatus("/ui/assets/../../dev/baton/server/openapi.json")).isEqualTo(404);
        assertThat(rawStatus("/ui/assets/..%2fopenapi.json")).isEqualTo(404);
        assertThat(rawStatus("/ui/assets/%2e%2e/%2e%2e/openapi.json")).isEqualTo(404);
        assertThat(rawStatus("/ui/assets/../../../../../../etc/passwd")).isEqualTo(404);
        assertThat(rawStatus("/ui/assets/baton.css")).isEqualTo(200);
    }

    @Test
    void an_unknown_run_or_page_answers_a_404_page() {
        serveSupport("A-1");

        FormClient.Page run = page("/ui/runs/no-such-run");
        FormClient.Page other = page("/ui/elsewhere");

        assertThat(run.status()).isEqualTo(404);
        assertThat(run.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(run.html()).contains("<h1>Not found</h1>").contains("no-such-run");
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.html()).contains("<h1>Not found</h1>");
    }

    @Test
    void with_a_token_the_pages_need_it_too_and_a_browser_without_it_is_sent_to_sign_in() {
        ScriptedModel model = ScriptedModel.create();
        server = Desk.server(model).desk("support", Desk.triage()).token("s3cret-token").build().start();

        assertThat(page("/ui/runs").status()).isEqualTo(303);
        assertThat(page("/ui/runs").headers().firstValue("Location")).hasValue("/ui/sign-in?next=%2Fui%2Fruns");
        assertThat(page("/ui/assets/baton.css").status()).as("the sign-in page needs its stylesheet").isEqualTo(200);
        assertThat(page("/", "wrong").status()).isEqualTo(401);
        assertThat(page("/ui/runs", "s3cret-token").status()).isEqualTo(200);
    }
}
