package dev.baton.server;

import static dev.baton.server.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.Agent;
import dev.baton.durable.RecordedEvent;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStatus;
import dev.baton.durable.RunStore;
import dev.baton.handoff.Handoff;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The web UI under {@code /ui}: server-rendered pages of the runs and of one run (its timeline and
 * its desk's handoff graph), readable without JavaScript; a small checked-in script refreshes the
 * runs table and follows a running run's stream. All model, tool and user text is escaped.
 */
final class WebUi {
    private static final int PAGE_SIZE = 50;
    private static final int MAX_EVENTS = 1000;
    /** The files under {@code /ui/assets/}: only these names are served, so no path leaves the folder. */
    private static final Map<String, String> ASSETS = Map.of(
            "baton.css", "text/css; charset=utf-8",
            "baton.js", "text/javascript; charset=utf-8");

    private final Desks desks;
    private final RunStore store;
    private final Privacy privacy;

    WebUi(Desks desks, RunStore store, Privacy privacy) {
        this.desks = desks;
        this.store = store;
        this.privacy = privacy;
    }

    void routes(HttpRouting.Builder r) {
        r.get("/", (req, res) -> redirect(res, "/ui/runs"));
        r.get("/ui", (req, res) -> redirect(res, "/ui/runs"));
        r.get("/ui/runs", this::runsPage);
        r.get("/ui/runs/table", this::runsTable);
        r.get("/ui/runs/{id}", this::runPage);
        r.get("/ui/runs/{id}/entries", this::entries);
        r.get("/ui/assets/{name}", this::asset);
        r.any("/ui/*", (req, res) -> notFound(res, "There is no page at " + req.path().path() + "."));
    }

    // ---- the runs

    private void runsPage(ServerRequest req, ServerResponse res) {
        Optional<Filter> filter = filter(req, res);
        if (filter.isEmpty()) {
            return;
        }
        Filter f = filter.get();
        StringBuilder b = new StringBuilder();
        b.append("<h1>Runs</h1>\n<form class=\"filters\" method=\"get\" action=\"/ui/runs\">\n");
        b.append("<label>Desk <select name=\"desk\"><option value=\"\">all</option>");
        desks.byName().keySet().stream().sorted().forEach(name -> option(b, name, name.equals(f.desk())));
        b.append("</select></label>\n<label>Status <select name=\"status\"><option value=\"\">all</option>");
        for (RunStatus s : RunStatus.values()) {
            option(b, lower(s), s == f.status());
        }
        b.append("</select></label>\n");
        RunsSearchForm.fields(b, f.search(), desks);
        b.append("<button type=\"submit\">Filter</button>\n</form>\n");
        String query = "desk=" + url(f.desk() == null ? "" : f.desk()) + "&status=" + url(f.status() == null ? "" : lower(f.status()))
                + f.search().query();
        b.append("<div id=\"runs\" data-refresh=\"").append(esc("/ui/runs/table?" + query)).append("\">\n");
        b.append(table(f)).append("</div>\n");
        html(res, Status.OK_200, Html.page("Runs", b.toString()));
    }

    /** The runs table alone, which the runs page polls to stay current. */
    private void runsTable(ServerRequest req, ServerResponse res) {
        filter(req, res).ifPresent(f -> html(res, Status.OK_200, table(f)));
    }

    /** The desk and status to show, or empty after answering 400 for an unknown status. */
    private Optional<Filter> filter(ServerRequest req, ServerResponse res) {
        String desk = Api.param(req, "desk");
        String status = Api.param(req, "status");
        Optional<RunsSearchForm> search = RunsSearchForm.of(req);
        if (search.isEmpty()) {
            html(res, Status.BAD_REQUEST_400, Html.page("Bad request", "<h1>Bad request</h1>\n<p>Unknown time '"
                    + esc(String.valueOf(Api.param(req, "since"))) + "'; one of hour, day, week.</p>\n<p><a href=\"/ui/runs\">All runs</a></p>"));
            return Optional.empty();
        }
        if (status == null) {
            return Optional.of(new Filter(desk, null, search.get()));
        }
        try {
            return Optional.of(new Filter(desk, RunStatus.valueOf(status.trim().toUpperCase(Locale.ROOT)), search.get()));
        } catch (IllegalArgumentException e) {
            html(res, Status.BAD_REQUEST_400, Html.page("Bad request",
                    "<h1>Bad request</h1>\n<p>Unknown status '" + esc(status) + "'.</p>\n<p><a href=\"/ui/runs\">All runs</a></p>"));
            return Optional.empty();
        }
    }

    private record Filter(@Nullable String desk, @Nullable RunStatus status, RunsSearchForm search) {}

    private String table(Filter f) {
        RunQuery query = RunQuery.all().withApplication(f.desk()).withLimit(PAGE_SIZE);
        if (f.status() != null) {
            query = query.withStatuses(f.status());
        }
        List<RunRecord> runs = f.search().find(store, query, Instant.now());
        if (runs.isEmpty()) {
            return f.search().isEmpty() ? "<p class=\"empty\">No runs yet.</p>\n" : "<p class=\"empty\">No runs match.</p>\n";
        }
        StringBuilder b = new StringBuilder("<table class=\"runs\">\n<thead><tr><th>Run</th><th>Desk</th><th>Status</th>"
                + "<th>Agents</th><th>Tokens</th><th>Duration</th><th>Created</th></tr></thead>\n<tbody>\n");
        for (RunRecord run : runs) {
            b.append("<tr><td><a href=\"/ui/runs/").append(url(run.id())).append("\">").append(esc(shortId(run.id()))).append("</a></td>")
                    .append("<td>").append(esc(run.application())).append("</td>")
                    .append("<td>").append(status(run)).append("</td>")
                    .append("<td>").append(esc(String.join(" → ", path(run, events(run))))).append("</td>")
                    .append("<td class=\"num\">").append(run.usage().totalTokens()).append("</td>")
                    .append("<td class=\"num\">").append(duration(run)).append("</td>")
                    .append("<td>").append(time(run.createdAt())).append("</td></tr>\n");
        }
        return b.append("</tbody>\n</table>\n").toString();
    }

    // ---- one run

    private void runPage(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        Optional<RunRecord> found = store.findRun(id);
        if (found.isEmpty()) {
            notFound(res, "There is no run with id '" + id + "'.");
            return;
        }
        RunRecord run = found.get();
        List<RecordedEvent> events = events(run);
        List<String> path = path(run, events);
        StringBuilder b = new StringBuilder();
        b.append("<h1>Run <code>").append(esc(run.id())).append("</code></h1>\n<dl class=\"facts\">\n")
                .append(fact("Desk", esc(run.application())))
                .append(fact("Status", status(run)))
                .append(fact("Agents", esc(String.join(" → ", path))))
                .append(fact("Tokens", run.usage().totalTokens() + " (" + run.usage().inputTokens() + " in, "
                        + run.usage().outputTokens() + " out)"))
                .append(fact("Duration", duration(run)))
                .append(fact("Created", time(run.createdAt())));
        if (run.sessionId() != null) {
            b.append(fact("Session", esc(run.sessionId())));
        }
        b.append("</dl>\n<h2>Input</h2>\n<pre class=\"text\">").append(esc(ApprovalsApi.inputText(run.input()))).append("</pre>\n");
        if (run.finalOutput() != null) {
            b.append("<h2>Output</h2>\n<pre class=\"text output\">").append(esc(text(Api.parse(run.finalOutput())))).append("</pre>\n");
        }
        if (run.error() != null) {
            b.append("<h2>Error</h2>\n<pre class=\"text error\">").append(esc(run.error())).append("</pre>\n");
        }
        long next = events.isEmpty() ? 0 : events.get(events.size() - 1).seq() + 1;
        b.append(graph(run, path)); // the path at a glance, then the timeline step by step
        b.append("<h2>Timeline</h2>\n<ol class=\"timeline\" id=\"timeline\" data-entries=\"/ui/runs/").append(url(run.id()))
                .append("/entries?from=\" data-run=\"").append(esc(run.id()))
                .append("\" data-next=\"").append(next).append("\" data-live=\"").append(run.status() == RunStatus.RUNNING)
                .append("\">\n");
        RunFacts facts = RunFacts.of(store.effects(run.id()), store.approvals(run.id()));
        events.forEach(e -> b.append(entry(e, privacy, facts)));
        b.append("</ol>\n");
        html(res, Status.OK_200, Html.page("Run " + shortId(run.id()), b.toString()));
    }

    /** The timeline entries of a run from event {@code from} on, which the run page appends while the run goes on. */
    private void entries(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        if (store.findRun(id).isEmpty()) {
            notFound(res, "There is no run with id '" + id + "'.");
            return;
        }
        int from = Api.intParam(req, "from", 0, 0, Integer.MAX_VALUE);
        StringBuilder b = new StringBuilder();
        RunFacts facts = RunFacts.of(store.effects(id), store.approvals(id));
        store.events(id, from, MAX_EVENTS).forEach(e -> b.append(entry(e, privacy, facts)));
        html(res, Status.OK_200, b.toString());
    }

    /**
     * One event as a timeline entry, with its call's latency, attempts and approval where
     * {@code facts} has them; the deltas and turn starts the other entries already tell are left out.
     */
    static String entry(RecordedEvent e, Privacy privacy, RunFacts facts) {
        JsonNode d = privacy.data(e);
        String note = "";
        String label;
        String body;
        switch (e.type()) {
            case "TurnStarted", "TextDelta" -> {
                return "";
            }
            case "RunStarted" -> {
                label = "Run started";
                List<String> texts = new ArrayList<>();
                d.path("input").forEach(item -> texts.add(item.path("text").asText("")));
                body = pre(String.join("\n", texts));
            }
            case "AgentUpdated" -> {
                label = "Agent";
                body = "<p>" + esc(e.agent()) + " takes over</p>";
            }
            case "ModelResponded" -> {
                label = "Model response";
                JsonNode u = d.path("usage");
                body = "<p>turn " + d.path("turn").asLong() + ": " + u.path("totalTokens").asLong() + " tokens ("
                        + u.path("inputTokens").asLong() + " in, " + u.path("outputTokens").asLong() + " out)</p>";
                note = RunFacts.note(facts.model(d.path("turn").asLong()));
            }
            case "MessageOutput" -> {
                label = "Message";
                body = pre(d.path("item").path("message").path("text").asText(""));
            }
            case "ReasoningOutput" -> {
                label = "Reasoning";
                body = pre(text(d.path("item").path("reasoning")));
            }
            case "ToolCalled" -> {
                label = "Tool call";
                JsonNode call = d.path("item").path("call");
                body = "<p><code>" + esc(call.path("name").asText("")) + "</code></p>" + pre(call.path("arguments").asText(""));
            }
            case "ToolFinished" -> {
                boolean error = d.path("item").path("error").asBoolean();
                label = error ? "Tool error" : "Tool result";
                body = pre(d.path("item").path("output").path("output").asText("")) + Html.images(d.path("item").path("output").path("images"));
                note = RunFacts.note(facts.tool(d.path("item").path("output").path("callId").asText("")));
            }
            case "HandoffRequested" -> {
                label = "Handoff requested";
                body = "<p><code>" + esc(d.path("item").path("call").path("name").asText("")) + "</code></p>";
            }
            case "HandoffIgnored" -> {
                label = "Handoff ignored";
                body = "<p>to " + esc(d.path("targetAgent").asText("")) + "</p>";
            }
            case "HandoffOccurred" -> {
                label = "Handoff";
                body = "<p>" + esc(d.path("from").asText("")) + " → " + esc(d.path("to").asText("")) + "</p>";
            }
            case "GuardrailChecked" -> {
                JsonNode r = d.path("result");
                boolean tripped = r.path("tripwireTriggered").asBoolean();
                label = "Guardrail";
                body = "<p>" + esc(r.path("kind").asText("").toLowerCase(Locale.ROOT)) + " guardrail <code>"
                        + esc(r.path("name").asText("")) + "</code>: " + (tripped ? "<strong>tripped</strong>" : "passed") + "</p>";
            }
            case "ApprovalRequested" -> {
                JsonNode r = d.path("request");
                label = "Approval requested";
                body = "<p><code>" + esc(r.path("toolName").asText("")) + "</code></p>" + pre(r.path("arguments").asText(""))
                        + RunFacts.decision(facts.approval(r.path("callId").asText("")));
            }
            case "RunPaused" -> {
                label = "Paused";
                body = "<p>waiting for approval of " + d.path("pending").size() + " call(s)</p>";
            }
            case "RunCompleted" -> {
                if (d.path("finalOutput").isNull() || d.path("finalOutput").isMissingNode()) {
                    // A turn on the runtime that handed off: the conversation goes on in the target's run.
                    label = "Handed off";
                    body = "<p>the turn ended with the handoff; the target takes the next turn</p>";
                } else {
                    label = "Final answer";
                    body = pre(text(d.path("finalOutput")));
                }
            }
            case "RunFailed" -> {
                label = "Error";
                body = "<p>" + esc(d.path("errorType").asText("")) + "</p>" + pre(d.path("message").asText(""));
            }
            case "Nested" -> {
                label = "Nested";
                body = "<p>in <code>" + esc(d.path("toolName").asText("")) + "</code>: " + esc(d.path("eventType").asText("")) + "</p>";
            }
            default -> {
                label = e.type();
                body = pre(d.toString());
            }
        }
        return "<li class=\"event\" id=\"event-" + e.seq() + "\" data-seq=\"" + e.seq() + "\" data-type=\"" + esc(e.type())
                + "\"><span class=\"label\">" + esc(label) + "</span> <span class=\"agent\">" + esc(e.agent())
                + "</span> " + time(e.at()) + note + "\n" + body + "</li>\n";
    }

    /** The desk's handoffs drawn, then as a list of edges, those this run took marked. */
    private String graph(RunRecord run, List<String> path) {
        StringBuilder b = new StringBuilder("<h2>Handoff graph of desk ").append(esc(run.application())).append("</h2>\n");
        Optional<Desks.Desk> desk = desks.find(run.application());
        if (desk.isEmpty()) {
            return b.append("<p class=\"empty\">This server does not serve that desk.</p>\n").toString();
        }
        Set<String> taken = new HashSet<>();
        for (int i = 1; i < path.size(); i++) {
            taken.add(path.get(i - 1) + "\u0000" + path.get(i));
        }
        StringBuilder edges = new StringBuilder();
        for (Agent<?> agent : desk.get().agents().values()) {
            for (Handoff<?, ?> h : agent.handoffs()) {
                boolean onPath = taken.contains(agent.name() + "\u0000" + h.targetName());
                edges.append("<li class=\"edge").append(onPath ? " on-path" : "").append("\">").append(esc(agent.name()))
                        .append(" → ").append(esc(h.targetName())).append(onPath ? " <span class=\"badge\">this run</span>" : "")
                        .append("</li>\n");
            }
        }
        if (edges.isEmpty()) {
            return b.append("<p class=\"empty\">Its agent ").append(esc(desk.get().entry().name()))
                    .append(" hands off to no one.</p>\n").toString();
        }
        return b.append(HandoffGraph.svg(desk.get(), path)).append("<ul class=\"graph\">\n").append(edges).append("</ul>\n").toString();
    }

    // ---- assets and answers

    private void asset(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        String type = ASSETS.get(name);
        if (type == null) {
            notFound(res, "There is no asset named '" + name + "'.");
            return;
        }
        try (InputStream in = WebUi.class.getResourceAsStream("ui/" + name)) {
            if (in == null) {
                throw new IllegalStateException("The asset " + name + " is missing from the jar");
            }
            res.status(Status.OK_200);
            res.header(HeaderNames.CONTENT_TYPE, type);
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            res.send(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void redirect(ServerResponse res, String location) {
        res.status(Status.SEE_OTHER_303);
        res.header(HeaderNames.LOCATION, location);
        res.send();
    }

    static void notFound(ServerResponse res, String message) {
        html(res, Status.NOT_FOUND_404, Html.page("Not found",
                "<h1>Not found</h1>\n<p>" + esc(message) + "</p>\n<p><a href=\"/ui/runs\">All runs</a></p>"));
    }

    /** Sends HTML that runs only the UI's own script: the policy forbids inline and foreign scripts. */
    static void html(ServerResponse res, Status status, String html) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.header(HeaderNames.create("Content-Security-Policy"), "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.send(html.getBytes(StandardCharsets.UTF_8));
    }

    // ---- small pieces

    private List<RecordedEvent> events(RunRecord run) {
        List<RecordedEvent> all = new ArrayList<>();
        while (true) {
            List<RecordedEvent> batch = store.events(run.id(), all.size(), MAX_EVENTS);
            all.addAll(batch);
            if (batch.size() < MAX_EVENTS) {
                return all;
            }
        }
    }

    /** The agents the run went through, in order (consecutive repeats folded), as {@code /api/runs/{id}} tells them. */
    private static List<String> path(RunRecord run, List<RecordedEvent> events) {
        List<String> path = new ArrayList<>(List.of(run.startAgent()));
        for (RecordedEvent e : events) {
            if (!e.agent().equals(path.get(path.size() - 1))) {
                path.add(e.agent());
            }
        }
        return path;
    }

    static String status(RunRecord run) {
        String s = "<span class=\"status status-" + lower(run.status()) + "\">" + lower(run.status()) + "</span>";
        return run.status() == RunStatus.PAUSED ? s + " <a class=\"badge waiting\" href=\"/ui/approvals\">waiting for approval</a>" : s;
    }

    private static String fact(String name, String valueHtml) {
        return "<dt>" + name + "</dt><dd>" + valueHtml + "</dd>\n";
    }

    private static void option(StringBuilder b, String value, boolean selected) {
        b.append("<option value=\"").append(esc(value)).append('"').append(selected ? " selected" : "").append('>')
                .append(esc(value)).append("</option>");
    }

    private static String pre(String text) {
        return "<pre class=\"text\">" + esc(text) + "</pre>";
    }

    /** A JSON value as text to read: a string as itself, anything else as compact JSON. */
    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : node.isMissingNode() || node.isNull() ? "" : node.toString();
    }

    private static String duration(RunRecord run) {
        long ms = Duration.between(run.createdAt(), run.updatedAt()).toMillis();
        return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    static String time(Instant at) {
        String iso = at.truncatedTo(ChronoUnit.SECONDS).toString();
        return "<time datetime=\"" + esc(at.toString()) + "\">" + esc(iso.replace('T', ' ').replace("Z", " UTC")) + "</time>";
    }

    /**
     * A long id as a short label: its kind ({@code run_}, {@code turn_}) and its last 8 characters.
     * Run ids begin with their millisecond (decision 63), so their first characters are the same
     * for every run of the same minute; their end is what tells them apart.
     */
    static String shortId(String id) {
        if (id.length() <= 14) {
            return id;
        }
        int kind = id.indexOf('_');
        String prefix = kind >= 0 && kind < 8 ? id.substring(0, kind + 1) : "";
        return prefix + "…" + id.substring(id.length() - 8);
    }

    private static String lower(RunStatus s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    static String url(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
