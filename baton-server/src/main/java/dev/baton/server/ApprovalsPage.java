package dev.baton.server;

import static dev.baton.server.Html.esc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.durable.Approval;
import dev.baton.durable.DurableClient;
import dev.baton.durable.Decision;
import dev.baton.durable.RunRecord;
import dev.baton.human.HumanQueue;
import dev.baton.human.HumanRequest;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The approvals inbox under {@code /ui/approvals}: the calls waiting for approval, each with what
 * the reviewer needs to know and a form to approve or reject it, and the conversations waiting
 * for a person, each with a form to answer as the human agent. Plain HTML forms (POST, then a 303
 * back), refused when posted from another site; the script refreshes the list.
 */
final class ApprovalsPage {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LIMIT = 100;

    private final Api api;
    private final DurableClient client;
    private final Humans humans;
    private final RuntimeDecisions runtimeDesks;

    ApprovalsPage(Api api, DurableClient client, Humans humans, RuntimeDecisions runtimeDesks) {
        this.api = api;
        this.client = client;
        this.humans = humans;
        this.runtimeDesks = runtimeDesks;
    }

    void routes(HttpRouting.Builder r) {
        r.get("/ui/approvals", this::page);
        r.get("/ui/approvals/list", (req, res) -> WebUi.html(res, Status.OK_200, list()));
        r.post("/ui/approvals/{id}/{callId}", this::decide);
        r.post("/ui/humans/{id}/reply", this::reply);
    }

    private void page(ServerRequest req, ServerResponse res) {
        StringBuilder b = new StringBuilder("<h1>Approvals</h1>\n");
        String run = Api.param(req, "run");
        String call = Api.param(req, "call");
        if (run != null && call != null) {
            b.append(decided(run, call));
        }
        if (Api.param(req, "answered") != null) {
            b.append("<p class=\"notice\">Your answer was sent; the conversation continues.</p>\n");
        }
        b.append("<div id=\"approvals\" data-refresh=\"/ui/approvals/list\">\n").append(list()).append("</div>\n");
        WebUi.html(res, Status.OK_200, Html.page("Approvals", b.toString()));
    }

    /** What became of the call just decided, read from the store (so a link cannot make the page say anything else). */
    private String decided(String runId, String callId) {
        Optional<Approval> a = client.store().approvals(runId).stream()
                .filter(x -> x.callId().equals(callId) && x.status() != Approval.Status.PENDING).reduce((first, last) -> last);
        if (a.isEmpty()) {
            return "";
        }
        String what = a.get().status().name().toLowerCase(Locale.ROOT);
        return "<p class=\"notice\">The call <code>" + esc(a.get().tool()) + "</code> of run <a href=\"/ui/runs/" + WebUi.url(runId)
                + "\">" + esc(WebUi.shortId(runId)) + "</a> was " + esc(what)
                + (a.get().message() == null ? "" : " (" + esc(a.get().message()) + ")") + "; the run continues.</p>\n";
    }

    /** The two lists: calls waiting for approval, and conversations waiting for a person. */
    private String list() {
        StringBuilder b = new StringBuilder("<h2>Calls waiting for approval</h2>\n");
        Map<String, Optional<RunRecord>> runs = new HashMap<>();
        int shown = 0;
        for (Approval a : client.pendingApprovals(LIMIT)) {
            Optional<RunRecord> run = runs.computeIfAbsent(a.runId(), id -> client.store().findRun(id));
            if (run.isPresent()) {
                b.append(approval(ApprovalsApi.approval(a, run.get(), api), "/ui/approvals"));
                shown++;
            }
        }
        if (shown == 0) {
            b.append("<p class=\"empty\">No call waits for approval.</p>\n");
        }
        b.append("<h2>Conversations waiting for a person</h2>\n");
        List<HumanQueue.Question> questions = humans.waiting();
        if (questions.isEmpty()) {
            b.append("<p class=\"empty\">").append(humans.configured() ? "Nobody waits for a person."
                    : "This server was not given the queue of its desks' human agents, so none are answered here.").append("</p>\n");
        }
        questions.forEach(q -> b.append(question(q, null)));
        return b.toString();
    }

    /** One pending call as the reviewer sees it (from the JSON {@code /api/approvals} gives), with its form. */
    static String approval(ObjectNode a, String back) {
        String runId = a.path("runId").asText();
        String callId = a.path("callId").asText();
        JsonNode context = a.path("context");
        StringBuilder b = new StringBuilder("<section class=\"approval\">\n<h3><code>").append(esc(a.path("tool").asText()))
                .append("</code> asked by ").append(esc(a.path("agent").asText())).append("</h3>\n<dl class=\"facts\">\n")
                .append(fact("Desk", esc(a.path("desk").asText())))
                .append(fact("Run", "<a href=\"/ui/runs/" + WebUi.url(runId) + "\">" + esc(WebUi.shortId(runId)) + "</a> ("
                        + esc(context.path("runStatus").asText()) + ")"))
                .append(fact("Agent", esc(a.path("agent").asText())))
                .append(fact("Tool", "<code>" + esc(a.path("tool").asText()) + "</code>"))
                .append(fact("Asked at", esc(a.path("requestedAt").asText())));
        if (a.hasNonNull("explanation")) {
            b.append(fact("What it does", esc(a.path("explanation").asText())));
        }
        if (context.hasNonNull("session")) {
            b.append(fact("Session", esc(context.path("session").asText())));
        }
        b.append("</dl>\n<h4>Arguments</h4>\n<pre class=\"text\">").append(esc(pretty(a.path("arguments")))).append("</pre>\n")
                .append("<h4>The run's input</h4>\n<pre class=\"text\">").append(esc(context.path("input").asText())).append("</pre>\n")
                .append("<form class=\"decide\" method=\"post\" action=\"/ui/approvals/").append(WebUi.url(runId)).append('/')
                .append(WebUi.url(callId)).append("\">\n<input type=\"hidden\" name=\"back\" value=\"").append(esc(back)).append("\">\n")
                .append("<label>Message (a rejection's reason, which the model reads) <textarea name=\"message\" rows=\"2\"></textarea></label>\n")
                .append("<label class=\"by\">Your name <input type=\"text\" name=\"by\" autocomplete=\"name\"></label>\n")
                .append("<label class=\"always\"><input type=\"checkbox\" name=\"always\" value=\"true\"> also for this tool's later calls in the run</label>\n")
                .append("<button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\n")
                .append("<button type=\"submit\" name=\"decision\" value=\"reject\" class=\"reject\">Reject</button>\n</form>\n</section>\n");
        return b.toString();
    }

    /** One question for a person, with the conversation so far and the form to answer as the human agent. */
    static String question(HumanQueue.Question q, @Nullable String back) {
        HumanRequest r = q.request();
        StringBuilder b = new StringBuilder("<section class=\"question\">\n<h3>").append(esc(r.agent())).append(" is asked</h3>\n")
                .append("<dl class=\"facts\">\n");
        if (r.runId() != null) {
            b.append(fact("Run", "<a href=\"/ui/runs/" + WebUi.url(r.runId()) + "\">" + esc(WebUi.shortId(r.runId())) + "</a>"));
        }
        if (r.sessionId() != null) {
            b.append(fact("Session", esc(r.sessionId())));
        }
        b.append(fact("Answer by", esc(r.deadline().toString())));
        if (r.instructions() != null) {
            b.append(fact("Briefing", esc(r.instructions())));
        }
        b.append("</dl>\n<h4>The conversation so far</h4>\n<pre class=\"text\">").append(esc(r.transcript())).append("</pre>\n");
        return b.append(answerForm(q, back)).append("</section>\n").toString();
    }

    /** The form "Answer as <agent>": a message, and optionally one of the handoffs the human agent offers. */
    static String answerForm(HumanQueue.Question q, @Nullable String back) {
        HumanRequest r = q.request();
        StringBuilder b = new StringBuilder("<form class=\"answer\" method=\"post\" action=\"/ui/humans/").append(WebUi.url(q.id()))
                .append("/reply\">\n");
        if (back != null) {
            b.append("<input type=\"hidden\" name=\"back\" value=\"").append(esc(back)).append("\">\n");
        }
        b.append("<label>Answer as ").append(esc(r.agent())).append(" <textarea name=\"text\" rows=\"3\"></textarea></label>\n");
        if (!r.handoffs().isEmpty()) {
            b.append("<label>Then <select name=\"handoff\"><option value=\"\">keep the conversation</option>");
            for (HumanRequest.HandoffOption h : r.handoffs()) {
                b.append("<option value=\"").append(esc(h.agent())).append("\">hand off to ").append(esc(h.agent())).append("</option>");
            }
            b.append("</select></label>\n");
        }
        return b.append("<button type=\"submit\">Send as ").append(esc(r.agent())).append("</button>\n</form>\n").toString();
    }

    private void decide(ServerRequest req, ServerResponse res) {
        Optional<Map<String, String>> form = Forms.read(req, res, api.maxBodyBytes());
        if (form.isEmpty()) {
            return;
        }
        String runId = req.path().pathParameters().get("id");
        String callId = req.path().pathParameters().get("callId");
        String back = Forms.back(Forms.field(form.get(), "back"), "/ui/approvals");
        String decision = Forms.field(form.get(), "decision");
        if (!"approve".equals(decision) && !"reject".equals(decision)) {
            WebUi.html(res, Status.BAD_REQUEST_400, Forms.message("Bad request", "Approve or reject the call.", back));
            return;
        }
        Optional<RunRecord> run = client.store().findRun(runId);
        if (run.isEmpty()) {
            WebUi.notFound(res, "There is no run with id '" + runId + "'.");
            return;
        }
        try {
            ApprovalsApi.decide(client, runtimeDesks, run.get(), callId, new Decision(decision.equals("approve"),
                    "true".equals(Forms.field(form.get(), "always")), Forms.field(form.get(), "message"), Forms.field(form.get(), "by")));
        } catch (ApiError e) {
            WebUi.html(res, Status.create(e.status()), Forms.message(e.status() == 409 ? "Already decided" : "Not found",
                    e.getMessage(), back));
            return;
        }
        WebUi.redirect(res, back.equals("/ui/approvals")
                ? "/ui/approvals?run=" + WebUi.url(runId) + "&call=" + WebUi.url(callId) : back);
    }

    private void reply(ServerRequest req, ServerResponse res) {
        Optional<Map<String, String>> form = Forms.read(req, res, api.maxBodyBytes());
        if (form.isEmpty()) {
            return;
        }
        String back = Forms.back(Forms.field(form.get(), "back"), "/ui/approvals");
        try {
            humans.answer(req.path().pathParameters().get("id"), Forms.field(form.get(), "text"), Forms.field(form.get(), "handoff"));
        } catch (ApiError e) {
            String title = switch (e.status()) {
                case 404 -> "Not found";
                case 409 -> "Already answered";
                default -> "Not sent";
            };
            WebUi.html(res, Status.create(e.status()), Forms.message(title, e.getMessage(), back));
            return;
        }
        WebUi.redirect(res, back.equals("/ui/approvals") ? "/ui/approvals?answered=1" : back);
    }

    private static String fact(String name, String valueHtml) {
        return "<dt>" + name + "</dt><dd>" + valueHtml + "</dd>\n";
    }

    private static String pretty(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return node.toString();
        }
    }
}
