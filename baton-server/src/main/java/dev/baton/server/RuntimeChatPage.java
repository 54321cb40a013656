package dev.baton.server;

import static dev.baton.server.Html.esc;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.run.ApprovalRequest;
import dev.baton.runtime.handoff.ApprovalDecision;
import dev.baton.runtime.handoff.ApprovalRequired;
import dev.baton.session.SessionStore;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The chat page of a desk on the publish/subscribe runtime, under {@code /ui/runtime-chat}: a person
 * talks to the desk as its customer, the server's user agent publishing each message on the
 * session. The conversation is the session's items (the runtime keeps them in the session store,
 * whichever process ran the turn); while the desk has not answered, the page says so and reloads
 * itself. Calls waiting for approval are decided on the page, and a question for the desk's human
 * agent is answered there too.
 */
final class RuntimeChatPage {
    private static final String PATH = "/ui/runtime-chat";
    /** How many of the session's latest items the page shows. */
    private static final int ITEMS = 200;
    /** The longest session id, as the runtime API takes them. */
    private static final int MAX_SESSION = 200;

    private final Api api;
    private final Map<String, RuntimeApi.Hosted> desks;
    private final @Nullable SessionStore sessions;
    private final Humans humans;

    RuntimeChatPage(Api api, Map<String, RuntimeApi.Hosted> desks, @Nullable SessionStore sessions, Humans humans) {
        this.api = api;
        this.desks = desks;
        this.sessions = sessions;
        this.humans = humans;
    }

    void routes(HttpRouting.Builder r) {
        r.get(PATH, this::page);
        r.post(PATH, this::send);
        r.post(PATH + "/decision", this::decide);
    }

    static String url(String desk, String session) {
        return PATH + "?desk=" + WebUi.url(desk) + "&session=" + WebUi.url(session);
    }

    /** Where a new conversation with {@code desk} on the runtime starts. */
    static String start(String desk) {
        return PATH + "?desk=" + WebUi.url(desk);
    }

    private void page(ServerRequest req, ServerResponse res) {
        Optional<RuntimeApi.Hosted> desk = desk(res, Api.param(req, "desk"));
        if (desk.isEmpty()) {
            return;
        }
        String session = Api.param(req, "session");
        if (session == null) {
            WebUi.redirect(res, url(desk.get().desk().name(), "chat-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())));
            return;
        }
        if (session.length() > MAX_SESSION) {
            WebUi.html(res, Status.BAD_REQUEST_400, Forms.message("Not a session id", "A session id is 1 to " + MAX_SESSION
                    + " characters.", start(desk.get().desk().name())));
            return;
        }
        WebUi.html(res, Status.OK_200, Html.page("Chat with " + desk.get().desk().name(), conversation(desk.get(), session)));
    }

    private Optional<RuntimeApi.Hosted> desk(ServerResponse res, @Nullable String name) {
        RuntimeApi.Hosted hosted = name == null ? null : desks.get(name);
        if (hosted == null) {
            WebUi.notFound(res, "There is no desk named '" + name + "' on the runtime; desks on the runtime: " + desks.keySet() + ".");
            return Optional.empty();
        }
        return Optional.of(hosted);
    }

    private String conversation(RuntimeApi.Hosted hosted, String session) {
        String name = hosted.desk().name();
        String here = url(name, session);
        String holding = sessions == null ? null : sessions.activeAgent(session).orElse(null);
        StringBuilder b = new StringBuilder("<h1>Chat with desk ").append(esc(name)).append(" on the runtime</h1>\n<dl class=\"facts\">\n")
                .append("<dt>Session</dt><dd>").append(esc(session)).append("</dd>\n")
                .append("<dt>Agent holding it</dt><dd class=\"holding\">")
                .append(holding != null ? esc(holding) : "the desk's first agent").append("</dd>\n</dl>\n<ol class=\"chat\" id=\"chat\">\n");
        List<Item> items = sessions == null ? List.of() : sessions.items(session, ITEMS);
        java.util.Set<String> transfers = new java.util.HashSet<>(); // their outputs only name the target, said by the handoff entry
        for (Item item : items) {
            if (item instanceof ToolCall c && hosted.desk().handoffTarget(c.name()).isPresent()) {
                transfers.add(c.callId());
            }
            if (!(item instanceof ToolOutput o && transfers.contains(o.callId()))) {
                b.append(entry(hosted, item));
            }
        }
        String pending = hosted.people().awaiting(session).orElse("");
        if (!pending.isEmpty() && !lastUserMessage(items).equals(pending)) {
            // said, and not yet in the session: its turn writes it when it ends
            b.append("<li class=\"msg user pending\"><span class=\"who\">You</span>\n<div class=\"text\">").append(esc(pending))
                    .append("</div></li>\n");
        } else if (items.isEmpty()) {
            b.append("<li class=\"empty\">No messages yet: say something to the desk.</li>\n");
        }
        return b.append("</ol>\n").append(state(hosted, session, here)).append(ChatPage.sendForm(PATH, name, session)).toString();
    }

    /** What the desk last did: still working (and maybe asking a person), waiting for approval, or failed. */
    private String state(RuntimeApi.Hosted hosted, String session, String here) {
        StringBuilder b = new StringBuilder();
        humans.ofSession(session).forEach(q -> b.append(ChatPage.question(q, here)));
        if (hosted.people().awaiting(session).isPresent()) {
            return b.insert(0, "<meta http-equiv=\"refresh\" content=\"2\">\n<p class=\"working\" id=\"chat-working\">"
                    + "The desk is working on it… this page reloads until it answers.</p>\n").toString();
        }
        switch (hosted.people().last(session).orElse(null)) {
            case RuntimeSessions.Heard.Waiting w -> b.append(approvals(hosted.desk().name(), session, w.approval()));
            case RuntimeSessions.Heard.Failed f -> b.append("<p class=\"notice\" id=\"chat-failed\">")
                    .append(esc(f.failure().agent())).append(" could not answer: ").append(esc(f.failure().error())).append("</p>\n");
            case null, default -> { }
        }
        return b.toString();
    }

    private static String approvals(String desk, String session, ApprovalRequired waiting) {
        StringBuilder b = new StringBuilder("<div class=\"paused\" id=\"chat-paused\">\n<p>")
                .append(esc(waiting.agent())).append(" waits for approval of a call:</p>\n");
        for (ApprovalRequest call : waiting.pending()) {
            b.append("<form class=\"decision\" method=\"post\" action=\"").append(PATH).append("/decision\">\n<p><code>")
                    .append(esc(call.toolName())).append("</code> <code class=\"args\">").append(esc(call.arguments())).append("</code></p>\n");
            for (String[] field : new String[][] {{"desk", desk}, {"session", session}, {"agent", waiting.agent()},
                    {"run_id", waiting.runId()}, {"call_id", call.callId()}}) {
                b.append("<input type=\"hidden\" name=\"").append(field[0]).append("\" value=\"").append(esc(field[1])).append("\">\n");
            }
            b.append("<button type=\"submit\" name=\"approved\" value=\"true\">Approve</button>\n")
                    .append("<button type=\"submit\" name=\"approved\" value=\"false\">Deny</button>\n</form>\n");
        }
        return b.append("</div>\n").toString();
    }

    private static String lastUserMessage(List<Item> items) {
        for (Item item : items.reversed()) {
            if (item instanceof Message m && m.role() == Message.Role.USER) {
                return m.text();
            }
        }
        return "";
    }

    /** One session item as a chat entry: the person's messages, the desk's replies, tool calls and results, handoffs. */
    private static String entry(RuntimeApi.Hosted hosted, Item item) {
        return switch (item) {
            case Message m when m.role() == Message.Role.USER -> "<li class=\"msg user\"><span class=\"who\">You</span>\n<div class=\"text\">"
                    + esc(m.text()) + "</div></li>\n";
            case Message m when m.role() == Message.Role.ASSISTANT -> "<li class=\"msg assistant\"><span class=\"who\">Desk</span>\n"
                    + "<div class=\"text\">" + esc(m.refusal() != null ? m.refusal() : m.text()) + "</div></li>\n";
            case ToolCall c when hosted.desk().handoffTarget(c.name()).isPresent() -> "<li class=\"note handoff\">hands off to "
                    + esc(hosted.desk().handoffTarget(c.name()).get()) + "</li>\n";
            case ToolCall c -> "<li class=\"note tool\">calls <code>" + esc(c.name()) + "</code> <code class=\"args\">"
                    + esc(c.arguments()) + "</code></li>\n";
            case ToolOutput o -> "<li class=\"note tool-result\">result: <code class=\"args\">" + esc(o.describe()) + "</code></li>\n";
            default -> "";
        };
    }

    // ---- what the person does

    private void send(ServerRequest req, ServerResponse res) {
        Optional<Map<String, String>> form = Forms.read(req, res, api.maxBodyBytes());
        if (form.isEmpty()) {
            return;
        }
        Optional<RuntimeApi.Hosted> desk = desk(res, Forms.field(form.get(), "desk"));
        if (desk.isEmpty()) {
            return;
        }
        String session = Forms.field(form.get(), "session");
        if (session == null || session.length() > MAX_SESSION) {
            WebUi.html(res, Status.BAD_REQUEST_400, Forms.message("Not a session id", "A session id is 1 to " + MAX_SESSION + " characters.",
                    start(desk.get().desk().name())));
            return;
        }
        String here = url(desk.get().desk().name(), session);
        String text = Forms.field(form.get(), "text");
        if (text == null) {
            WebUi.html(res, Status.BAD_REQUEST_400, Forms.message("Nothing to send", "Write a message to send.", here));
            return;
        }
        desk.get().people().said(session, text);
        desk.get().desk().say(desk.get().runtime(), session, text);
        WebUi.redirect(res, here);
    }

    private void decide(ServerRequest req, ServerResponse res) {
        Optional<Map<String, String>> form = Forms.read(req, res, api.maxBodyBytes());
        if (form.isEmpty()) {
            return;
        }
        Map<String, String> f = form.get();
        Optional<RuntimeApi.Hosted> desk = desk(res, Forms.field(f, "desk"));
        if (desk.isEmpty()) {
            return;
        }
        String session = Forms.field(f, "session");
        String agent = Forms.field(f, "agent");
        String runId = Forms.field(f, "run_id");
        String callId = Forms.field(f, "call_id");
        String approved = Forms.field(f, "approved");
        String back = session == null ? start(desk.get().desk().name()) : url(desk.get().desk().name(), session);
        if (session == null || runId == null || callId == null || agent == null || !desk.get().desk().agents().contains(agent)
                || !("true".equals(approved) || "false".equals(approved))) {
            WebUi.html(res, Status.BAD_REQUEST_400, Forms.message("Not a decision",
                    "A decision names the session, one of the desk's agents, the run, the call, and approves or denies it.", back));
            return;
        }
        desk.get().people().said(session, null);
        desk.get().decide(session, agent, new ApprovalDecision(runId, callId, Boolean.parseBoolean(approved), false, null, null));
        WebUi.redirect(res, back);
    }
}
