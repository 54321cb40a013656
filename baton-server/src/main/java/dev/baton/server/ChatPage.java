package dev.baton.server;

import static dev.baton.server.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.durable.Approval;
import dev.baton.durable.DurableClient;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.human.HumanQueue;
import dev.baton.session.SessionStore;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The chat page under {@code /ui/chat}: a person talks to a desk as its customer, on a session.
 * The page shows the conversation from the session's runs (each message, the agent that gave each
 * reply, tool calls, handoffs) and the agent holding the session; a message starts a run on the
 * session. While the latest run goes on, the UI's script follows its stream and appends the
 * entries the server renders; without the script the page says the run is working, links it, and
 * reloads itself every few seconds until the run is done.
 * A run paused for approval offers the decision inline, and a run waiting for the human agent
 * offers the form to answer as that agent.
 */
final class ChatPage {
    /** How many of a session's latest runs the page shows. */
    private static final int RUNS = 50;
    private static final int MAX_EVENTS = 1000;
    /** How many sessions the desk picker offers to continue. */
    private static final int SESSIONS = 20;

    private final Api api;
    private final Desks desks;
    private final DurableClient client;
    private final @Nullable SessionStore sessions;
    private final Humans humans;
    /** The desks served on the publish/subscribe runtime, whose chat is {@link RuntimeChatPage}. */
    private final java.util.Set<String> runtimeDesks;

    ChatPage(Api api, Desks desks, DurableClient client, @Nullable SessionStore sessions, Humans humans, java.util.Set<String> runtimeDesks) {
        this.api = api;
        this.desks = desks;
        this.client = client;
        this.sessions = sessions;
        this.humans = humans;
        this.runtimeDesks = java.util.Set.copyOf(runtimeDesks);
    }

    void routes(HttpRouting.Builder r) {
        r.get("/ui/chat", this::page);
        r.post("/ui/chat", this::send);
        r.get("/ui/chat/entries", this::entries);
        r.get("/ui/chat/waiting", this::waiting);
    }

    // ---- the page

    private void page(ServerRequest req, ServerResponse res) {
        if (sessions == null) {
            WebUi.html(res, Status.OK_200, Html.page("Chat", "<h1>Chat</h1>\n<p class=\"empty\">This server has no session store, "
                    + "so it offers no chat: give it one (BatonServer.Builder.sessionStore) or a runner with one.</p>\n"));
            return;
        }
        String deskName = Api.param(req, "desk");
        String session = Api.param(req, "session");
        if (deskName == null) {
            WebUi.html(res, Status.OK_200, Html.page("Chat", picker()));
            return;
        }
        Optional<Desks.Desk> desk = desks.find(deskName);
        if (desk.isEmpty()) {
            WebUi.notFound(res, "There is no desk named '" + deskName + "'.");
            return;
        }
        if (session == null) {
            WebUi.redirect(res, chatUrl(deskName, "chat-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())));
            return;
        }
        WebUi.html(res, Status.OK_200, Html.page("Chat with " + deskName, conversation(desk.get(), session)));
    }

    /** Pick a desk for a new conversation, or continue one of the latest. */
    private String picker() {
        StringBuilder b = new StringBuilder("<h1>Chat</h1>\n<p>Talk to a desk as its customer would.</p>\n")
                .append("<form class=\"filters\" method=\"get\" action=\"/ui/chat\">\n<label>Desk <select name=\"desk\">");
        desks.byName().keySet().stream().sorted().forEach(name ->
                b.append("<option value=\"").append(esc(name)).append("\">").append(esc(name)).append("</option>"));
        b.append("</select></label>\n<button type=\"submit\">Start a new conversation</button>\n</form>\n");
        if (!runtimeDesks.isEmpty()) {
            b.append("<p class=\"runtime-desks\">On the publish/subscribe runtime:");
            runtimeDesks.stream().sorted().forEach(name -> b.append(" <a href=\"").append(esc(RuntimeChatPage.start(name))).append("\">")
                    .append(esc(name)).append("</a>"));
            b.append("</p>\n");
        }
        b.append("<h2>Continue a conversation</h2>\n");
        Map<String, RunRecord> latest = new LinkedHashMap<>();
        for (RunRecord run : client.store().listRuns(RunQuery.all().withLimit(SessionsApi.RUN_WINDOW))) {
            if (run.sessionId() != null && latest.size() < SESSIONS) {
                latest.putIfAbsent(run.sessionId(), run);
            }
        }
        if (latest.isEmpty()) {
            return b.append("<p class=\"empty\">No conversation yet.</p>\n").toString();
        }
        b.append("<ul class=\"sessions\">\n");
        latest.values().forEach(run -> b.append("<li><a href=\"").append(esc(chatUrl(run.application(), run.sessionId()))).append("\">")
                .append(esc(run.sessionId())).append("</a> on ").append(esc(run.application())).append(", last ")
                .append(WebUi.time(run.createdAt())).append("</li>\n"));
        return b.append("</ul>\n").toString();
    }

    private String conversation(Desks.Desk desk, String session) {
        List<RunRecord> runs = new ArrayList<>(client.store().listRuns(RunQuery.all().withSession(session).withLimit(RUNS)));
        Collections.reverse(runs);
        String holding = Objects.requireNonNull(sessions).activeAgent(session).orElse(null);
        String here = chatUrl(desk.name(), session);
        StringBuilder b = new StringBuilder("<h1>Chat with desk ").append(esc(desk.name())).append("</h1>\n<dl class=\"facts\">\n")
                .append("<dt>Session</dt><dd>").append(esc(session)).append("</dd>\n")
                .append("<dt>Agent holding it</dt><dd class=\"holding\">")
                .append(holding != null ? esc(holding) : esc(desk.entry().name()) + " (the desk's first agent)").append("</dd>\n</dl>\n");
        RunRecord last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
        boolean live = last != null && last.status() == RunStatus.RUNNING;
        long next = 0;
        b.append("<ol class=\"chat\" id=\"chat\"");
        StringBuilder items = new StringBuilder();
        for (RunRecord run : runs) {
            List<RecordedEvent> events = events(run.id());
            items.append(userMessage(run));
            events.forEach(e -> items.append(entry(run, e, api.privacy())));
            if (run == last && !events.isEmpty()) {
                next = events.get(events.size() - 1).seq() + 1;
            }
        }
        if (last != null) {
            b.append(" data-run=\"").append(esc(last.id())).append("\" data-entries=\"/ui/chat/entries?run=").append(WebUi.url(last.id()))
                    .append("&amp;from=\" data-next=\"").append(next).append("\" data-live=\"").append(live)
                    .append('"');
        }
        b.append(">\n").append(items);
        if (runs.isEmpty()) {
            b.append("<li class=\"empty\">No messages yet: say something to the desk.</li>\n");
        }
        b.append("</ol>\n");
        if (last != null) {
            b.append(state(last, here));
        }
        return b.append(sendForm("/ui/chat", desk.name(), session)).toString();
    }

    /** The form a person writes their next message in, posted to {@code action}, and the way to another conversation. */
    static String sendForm(String action, String desk, String session) {
        return "<form class=\"send\" method=\"post\" action=\"" + esc(action) + "\">\n<input type=\"hidden\" name=\"desk\" value=\""
                + esc(desk) + "\">\n<input type=\"hidden\" name=\"session\" value=\"" + esc(session) + "\">\n"
                + "<label>Your message <textarea name=\"text\" rows=\"3\" required></textarea></label>\n"
                + "<button type=\"submit\">Send</button>\n</form>\n<p><a href=\"/ui/chat\">Another conversation</a></p>\n";
    }

    /** Where the latest run stands: working (and waiting for a person), waiting for approval, or failed. */
    private String state(RunRecord run, String here) {
        StringBuilder b = new StringBuilder();
        switch (run.status()) {
            case RUNNING -> {
                // Without the script, the browser reloads the page until the run is done (a browser running scripts skips this).
                b.append("<noscript><meta http-equiv=\"refresh\" content=\"3\"></noscript>\n")
                        .append("<p class=\"working\" id=\"chat-working\">Working… <a href=\"/ui/runs/").append(WebUi.url(run.id()))
                        .append("\">follow the run</a></p>\n<div id=\"chat-waiting\" data-every=\"2000\" data-refresh=\"")
                        .append(esc(waitingUrl(run.id(), here))).append("\">\n").append(waitingFor(run.id(), here)).append("</div>\n");
            }
            case PAUSED -> {
                b.append("<div class=\"paused\" id=\"chat-paused\">\n<p>The run waits for approval of a call: decide here or in the "
                        + "<a href=\"/ui/approvals\">approvals inbox</a>.</p>\n");
                for (Approval a : client.store().approvals(run.id())) {
                    if (a.status() == Approval.Status.PENDING) {
                        b.append(ApprovalsPage.approval(ApprovalsApi.approval(a, run, api), here));
                    }
                }
                b.append("</div>\n");
            }
            case FAILED, CANCELLED -> b.append("<p class=\"notice\">The last run ").append(WebUi.status(run)).append(": <a href=\"/ui/runs/")
                    .append(WebUi.url(run.id())).append("\">see why</a>.</p>\n");
            default -> { }
        }
        return b.toString();
    }

    /** The forms to answer as the human agent the run waits for, if it waits for one. */
    private String waitingFor(String runId, String here) {
        StringBuilder b = new StringBuilder();
        humans.ofRun(runId).forEach(q -> b.append(question(q, here)));
        return b.toString();
    }

    /** A question the conversation waits on, with the form to answer it as the human agent and come back {@code here}. */
    static String question(HumanQueue.Question q, String here) {
        return "<div class=\"question\">\n<p>The conversation waits for " + esc(q.request().agent())
                + ", a person: answer as them here, or in the <a href=\"/ui/approvals\">inbox</a>.</p>\n"
                + ApprovalsPage.answerForm(q, here) + "</div>\n";
    }

    // ---- fragments the script fetches

    /** The chat entries of run {@code run} from event {@code from} on. */
    private void entries(ServerRequest req, ServerResponse res) {
        String id = Api.param(req, "run");
        Optional<RunRecord> run = id == null ? Optional.empty() : client.store().findRun(id);
        if (run.isEmpty()) {
            WebUi.notFound(res, "There is no run with id '" + id + "'.");
            return;
        }
        long from = number(Api.param(req, "from"));
        StringBuilder b = new StringBuilder();
        client.store().events(run.get().id(), from, MAX_EVENTS).forEach(e -> b.append(entry(run.get(), e, api.privacy())));
        WebUi.html(res, Status.OK_200, b.toString());
    }

    /** The answer forms for a run waiting for a person (empty when it does not), which the page polls while the run goes on. */
    private void waiting(ServerRequest req, ServerResponse res) {
        String id = Api.param(req, "run");
        String desk = Api.param(req, "desk");
        String session = Api.param(req, "session");
        String here = desk != null && session != null ? chatUrl(desk, session) : "/ui/approvals";
        WebUi.html(res, Status.OK_200, id == null ? "" : waitingFor(id, here));
    }

    // ---- sending a message

    private void send(ServerRequest req, ServerResponse res) {
        Optional<Map<String, String>> form = Forms.read(req, res, api.maxBodyBytes());
        if (form.isEmpty()) {
            return;
        }
        if (sessions == null) {
            WebUi.notFound(res, "This server has no session store, so it offers no chat.");
            return;
        }
        String deskName = Forms.field(form.get(), "desk");
        Optional<Desks.Desk> desk = deskName == null ? Optional.empty() : desks.find(deskName);
        if (desk.isEmpty()) {
            WebUi.notFound(res, "There is no desk named '" + deskName + "'.");
            return;
        }
        String session = Forms.field(form.get(), "session");
        if (session == null) {
            session = "chat-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        }
        String here = chatUrl(desk.get().name(), session);
        String text = Forms.field(form.get(), "text");
        if (text == null) {
            WebUi.html(res, Status.BAD_REQUEST_400, Forms.message("Nothing to send", "Write a message to send.", here));
            return;
        }
        List<RunRecord> busy = client.store().listRuns(RunQuery.all().withSession(session)
                .withStatuses(RunStatus.RUNNING, RunStatus.PAUSED).withLimit(1));
        if (!busy.isEmpty()) {
            WebUi.html(res, Status.CONFLICT_409, Forms.message("Still busy", "The conversation's last run is still "
                    + busy.get(0).status().name().toLowerCase(Locale.ROOT) + "; send your message once it is done.", here));
            return;
        }
        client.startRun(desk.get().name(), desk.get().entry().name(), text, session);
        WebUi.redirect(res, here);
    }

    // ---- entries

    /** The customer's message that started the run. */
    private static String userMessage(RunRecord run) {
        return "<li class=\"msg user\" id=\"" + esc(entryId(run.id(), -1)) + "\"><span class=\"who\">You</span> <a class=\"run\" href=\"/ui/runs/"
                + WebUi.url(run.id()) + "\">run " + esc(WebUi.shortId(run.id())) + "</a>\n<div class=\"text\">"
                + esc(ApprovalsApi.inputText(run.input())) + "</div></li>\n";
    }

    /** One event of a run as a chat entry: replies with their agent, tool calls, handoffs, pauses, errors; the rest is left out. */
    static String entry(RunRecord run, RecordedEvent e, Privacy privacy) {
        JsonNode d = privacy.data(e);
        String kind;
        String html;
        switch (e.type()) {
            case "MessageOutput" -> {
                kind = "msg assistant";
                html = "<div class=\"text\">" + esc(d.path("item").path("message").path("text").asText("")) + "</div>";
            }
            case "ToolCalled" -> {
                JsonNode call = d.path("item").path("call");
                kind = "note tool";
                html = "calls <code>" + esc(call.path("name").asText("")) + "</code> <code class=\"args\">"
                        + esc(call.path("arguments").asText("")) + "</code>";
            }
            case "ToolFinished" -> {
                kind = "note tool-result";
                html = (d.path("item").path("error").asBoolean() ? "tool error: " : "tool result: ") + "<code class=\"args\">"
                        + esc(d.path("item").path("output").path("output").asText("")) + "</code>"
                        + Html.images(d.path("item").path("output").path("images"));
            }
            case "HandoffOccurred" -> {
                kind = "note handoff";
                html = "hands off: " + esc(d.path("from").asText("")) + " → " + esc(d.path("to").asText(""));
            }
            case "ApprovalRequested" -> {
                JsonNode r = d.path("request");
                kind = "note approval";
                html = "asks approval to call <code>" + esc(r.path("toolName").asText("")) + "</code> <code class=\"args\">"
                        + esc(r.path("arguments").asText("")) + "</code>";
            }
            case "RunPaused" -> {
                kind = "note paused";
                html = "waiting for approval: <a href=\"/ui/approvals\">decide</a>";
            }
            case "RunCompleted" -> {
                JsonNode output = d.path("finalOutput");
                if (output.isTextual() || output.isMissingNode() || output.isNull()) {
                    return ""; // a text answer is the last message, shown already
                }
                kind = "msg assistant";
                html = "<div class=\"text\">" + esc(output.toString()) + "</div>";
            }
            case "RunFailed" -> {
                kind = "note error";
                html = "the run failed: " + esc(d.path("errorType").asText("")) + " " + esc(d.path("message").asText(""));
            }
            default -> {
                return "";
            }
        }
        return "<li class=\"" + kind + "\" id=\"" + esc(entryId(run.id(), e.seq())) + "\" data-seq=\"" + e.seq() + "\" data-type=\""
                + esc(e.type()) + "\"><span class=\"who\">" + esc(e.agent()) + "</span> " + html + "</li>\n";
    }

    private static String entryId(String runId, long seq) {
        return "chat-" + runId + "-" + (seq < 0 ? "input" : Long.toString(seq));
    }

    // ---- small pieces

    private List<RecordedEvent> events(String runId) {
        List<RecordedEvent> all = new ArrayList<>();
        while (true) {
            List<RecordedEvent> batch = client.store().events(runId, all.size(), MAX_EVENTS);
            all.addAll(batch);
            if (batch.size() < MAX_EVENTS) {
                return all;
            }
        }
    }

    static String chatUrl(String desk, String session) {
        return "/ui/chat?desk=" + WebUi.url(desk) + "&session=" + WebUi.url(session);
    }

    private static String waitingUrl(String runId, String here) {
        return "/ui/chat/waiting?run=" + WebUi.url(runId) + "&" + here.substring(here.indexOf('?') + 1);
    }

    private static long number(@Nullable String s) {
        try {
            return s == null ? 0 : Math.max(0, Long.parseLong(s.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
