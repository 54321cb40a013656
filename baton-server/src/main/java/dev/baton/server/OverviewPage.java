package dev.baton.server;

import static dev.baton.server.Html.esc;

import dev.baton.durable.RunStatus;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The overview at {@code /ui/overview}, pictures drawn by the server as inline SVG (runs over
 * time by status, run durations, tokens per agent, a Sankey diagram of handoffs per desk), each
 * with its numbers in a table below; and the same figures as JSON at {@code GET /api/overview}.
 */
final class OverviewPage {
    /** The windows the page offers, in minutes, with their names. */
    private static final Map<Integer, String> WINDOWS = Map.of(60, "last hour", 360, "last 6 hours", 1440, "last day",
            10080, "last week");
    private static final DateTimeFormatter HOUR_MINUTE = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY_MINUTE =
            DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Desks desks;
    private final Overview overview;

    OverviewPage(Desks desks, Overview overview) {
        this.desks = desks;
        this.overview = overview;
    }

    void routes(HttpRouting.Builder r) {
        r.get("/ui/overview", this::page);
        Api.route(r, "/api/overview", Method.GET, this::json);
    }

    private void json(ServerRequest req, ServerResponse res) {
        int minutes = Api.intParam(req, "minutes", Overview.DEFAULT_MINUTES, Overview.MIN_MINUTES, Overview.MAX_MINUTES);
        Api.send(res, Status.OK_200, Overview.json(overview.figures(Api.param(req, "desk"), minutes)));
    }

    private void page(ServerRequest req, ServerResponse res) {
        String desk = Api.param(req, "desk");
        String minutesParam = Api.param(req, "minutes");
        int minutes = Overview.DEFAULT_MINUTES;
        if (minutesParam != null) {
            try {
                minutes = Integer.parseInt(minutesParam.trim());
            } catch (NumberFormatException e) {
                minutes = -1;
            }
            if (minutes < Overview.MIN_MINUTES || minutes > Overview.MAX_MINUTES) {
                WebUi.html(res, Status.BAD_REQUEST_400, Html.page("Bad request", "<h1>Bad request</h1>\n<p>The window must be "
                        + Overview.MIN_MINUTES + " to " + Overview.MAX_MINUTES + " minutes, not '" + esc(minutesParam)
                        + "'.</p>\n<p><a href=\"/ui/overview\">Overview</a></p>"));
                return;
            }
        }
        Overview.Figures f = overview.figures(desk, minutes);
        StringBuilder b = new StringBuilder("<h1>Overview</h1>\n");
        form(b, desk, minutes);
        String window = window(minutes);
        b.append("<p class=\"window\">").append(f.runs()).append(f.runs() == 1 ? " run" : " runs").append(" created in the ")
                .append(esc(window)).append(desk == null ? " on every desk" : " on desk " + esc(desk))
                .append(f.truncated() ? ": only the latest " : " (at most the latest ").append(String.format(Locale.ROOT, "%,d", Overview.MAX_RUNS))
                .append(f.truncated() ? " are counted." : " are counted).").append(" The figures are at most ")
                .append(Overview.FRESH.toSeconds()).append(" seconds old.</p>\n");
        if (f.runs() == 0) {
            b.append("<p class=\"empty\">No runs in the ").append(esc(window)).append(" yet. Start one from the <a href=\"/ui/chat\">chat</a>")
                    .append(" or with <code>POST /api/desks/{desk}/runs</code>, and the pictures appear here.</p>\n");
        } else {
            runsOverTime(b, f);
            durations(b, f);
            tokens(b, f);
            handoffs(b, f);
        }
        WebUi.html(res, Status.OK_200, Html.page("Overview", b.toString()));
    }

    private void form(StringBuilder b, @Nullable String desk, int minutes) {
        b.append("<form class=\"filters\" method=\"get\" action=\"/ui/overview\">\n<label>Desk <select name=\"desk\">")
                .append("<option value=\"\">all</option>");
        List<String> names = new ArrayList<>(desks.byName().keySet().stream().sorted().toList());
        if (desk != null && !names.contains(desk)) {
            names.add(desk);
        }
        names.forEach(name -> option(b, name, name, name.equals(desk)));
        b.append("</select></label>\n<label>Window <select name=\"minutes\">");
        if (!WINDOWS.containsKey(minutes)) {
            option(b, Integer.toString(minutes), window(minutes), true);
        }
        WINDOWS.keySet().stream().sorted().forEach(m -> option(b, Integer.toString(m), WINDOWS.get(m), m == minutes));
        b.append("</select></label>\n<button type=\"submit\">Show</button>\n</form>\n");
    }

    private static void runsOverTime(StringBuilder b, Overview.Figures f) {
        Overview.RunsOverTime t = f.runsOverTime();
        String per = t.bucketMinutes() == 1 ? "minute" : t.bucketMinutes() + " minutes";
        List<Svg.Column> columns = new ArrayList<>();
        int every = Math.max(1, t.buckets().size() / 6);
        for (int i = 0; i < t.buckets().size(); i++) {
            Overview.RunsBucket bucket = t.buckets().get(i);
            List<Svg.Part> parts = new ArrayList<>();
            List<String> tip = new ArrayList<>();
            bucket.byStatus().forEach((s, n) -> {
                parts.add(new Svg.Part(n, "status-" + lower(s)));
                if (n > 0) {
                    tip.add(n + " " + lower(s));
                }
            });
            columns.add(new Svg.Column(i % every == 0 ? time(bucket.start(), f) : "",
                    time(bucket.start(), f) + " UTC: " + (tip.isEmpty() ? "no runs" : String.join(", ", tip)), parts));
        }
        b.append("<section class=\"chart\" id=\"runs-over-time\">\n<h2>Runs per ").append(per).append("</h2>\n")
                .append(Svg.columns("runs-over-time", "runs-chart", "Runs per " + per + " by status",
                        "Runs created in each " + per + " of the " + window(f.minutes()) + ", stacked by their status now.", columns, true, ""));
        b.append("<ul class=\"legend\">");
        for (RunStatus s : RunStatus.values()) {
            b.append("<li><span class=\"swatch status-").append(lower(s)).append("\"></span>").append(lower(s)).append("</li>");
        }
        b.append("</ul>\n<details><summary>The numbers</summary>\n<table class=\"numbers\"><thead><tr><th>From (UTC)</th>");
        for (RunStatus s : RunStatus.values()) {
            b.append("<th>").append(lower(s)).append("</th>");
        }
        b.append("</tr></thead>\n<tbody>\n");
        for (Overview.RunsBucket bucket : t.buckets()) {
            if (bucket.total() == 0) {
                continue;
            }
            b.append("<tr><td>").append(time(bucket.start(), f)).append("</td>");
            bucket.byStatus().values().forEach(n -> b.append("<td class=\"num\">").append(n).append("</td>"));
            b.append("</tr>\n");
        }
        b.append("</tbody></table>\n</details>\n</section>\n");
    }

    private static void durations(StringBuilder b, Overview.Figures f) {
        Overview.Durations d = f.durations();
        b.append("<section class=\"chart\" id=\"durations\">\n<h2>Run duration</h2>\n");
        if (d.completedRuns() == 0) {
            b.append("<p class=\"empty\">No run completed in this window.</p>\n</section>\n");
            return;
        }
        b.append("<p>Over ").append(d.completedRuns()).append(d.completedRuns() == 1 ? " completed run" : " completed runs")
                .append(": <strong>p50 ").append(ms(d.p50())).append("</strong>, <strong>p95 ").append(ms(d.p95())).append("</strong>.</p>\n");
        List<Svg.Bar> bars = new ArrayList<>();
        for (Overview.DeskDurations x : d.byDesk()) {
            bars.add(new Svg.Bar(x.desk() + " p50", x.p50(), ms(x.p50()), "p50"));
            bars.add(new Svg.Bar(x.desk() + " p95", x.p95(), ms(x.p95()), "p95"));
        }
        b.append("<h3>Per desk</h3>\n").append(Svg.bars("durations-by-desk", "durations-desk-chart", "Run duration per desk",
                "The p50 and p95 duration of each desk's completed runs.", bars));
        String per = d.bucketMinutes() == 1 ? "minute" : d.bucketMinutes() + " minutes";
        List<Svg.Column> columns = new ArrayList<>();
        int every = Math.max(1, d.overTime().size() / 6);
        for (int i = 0; i < d.overTime().size(); i++) {
            Overview.DurationBucket x = d.overTime().get(i);
            String tip = time(x.start(), f) + " UTC: " + (x.runs() == 0 ? "no completed run"
                    : x.runs() + " completed, p50 " + ms(x.p50()) + ", p95 " + ms(x.p95()));
            columns.add(new Svg.Column(i % every == 0 ? time(x.start(), f) : "", tip,
                    List.of(new Svg.Part(x.p50() == null ? 0 : x.p50(), "p50"), new Svg.Part(x.p95() == null ? 0 : x.p95(), "p95"))));
        }
        b.append("<h3>Every ").append(per).append("</h3>\n").append(Svg.columns("durations-over-time", "durations-time-chart",
                "Run duration every " + per, "The p50 and p95 duration of the runs that completed, by when they were created.", columns,
                false, " ms"));
        b.append("<ul class=\"legend\"><li><span class=\"swatch p50\"></span>p50</li><li><span class=\"swatch p95\"></span>p95</li></ul>\n")
                .append("<details><summary>The numbers</summary>\n<table class=\"numbers\"><thead><tr><th>Desk</th><th>Completed runs</th>")
                .append("<th>p50</th><th>p95</th></tr></thead>\n<tbody>\n");
        for (Overview.DeskDurations x : d.byDesk()) {
            b.append("<tr><td>").append(esc(x.desk())).append("</td><td class=\"num\">").append(x.runs()).append("</td><td class=\"num\">")
                    .append(ms(x.p50())).append("</td><td class=\"num\">").append(ms(x.p95())).append("</td></tr>\n");
        }
        b.append("</tbody></table>\n<table class=\"numbers\"><thead><tr><th>From (UTC)</th><th>Completed runs</th><th>p50</th>")
                .append("<th>p95</th></tr></thead>\n<tbody>\n");
        for (Overview.DurationBucket x : d.overTime()) {
            if (x.runs() > 0) {
                b.append("<tr><td>").append(time(x.start(), f)).append("</td><td class=\"num\">").append(x.runs())
                        .append("</td><td class=\"num\">").append(ms(x.p50())).append("</td><td class=\"num\">").append(ms(x.p95()))
                        .append("</td></tr>\n");
            }
        }
        b.append("</tbody></table>\n</details>\n</section>\n");
    }

    private static void tokens(StringBuilder b, Overview.Figures f) {
        b.append("<section class=\"chart\" id=\"tokens\">\n<h2>Tokens per agent</h2>\n");
        if (f.tokens().isEmpty()) {
            b.append("<p class=\"empty\">No model call was recorded in this window.</p>\n</section>\n");
            return;
        }
        List<Svg.Bar> bars = f.tokens().stream()
                .map(t -> new Svg.Bar(t.agent(), t.tokens(), t.tokens() + " tokens", "tokens")).toList();
        b.append(Svg.bars("tokens-by-agent", "tokens-chart", "Tokens per agent",
                "The tokens of the model calls each agent made, in and out.", bars));
        b.append("<details><summary>The numbers</summary>\n<table class=\"numbers\"><thead><tr><th>Agent</th><th>Tokens</th>")
                .append("<th>Model calls</th></tr></thead>\n<tbody>\n");
        for (Overview.AgentTokens t : f.tokens()) {
            b.append("<tr><td>").append(esc(t.agent())).append("</td><td class=\"num\">").append(t.tokens())
                    .append("</td><td class=\"num\">").append(t.calls()).append("</td></tr>\n");
        }
        b.append("</tbody></table>\n</details>\n</section>\n");
    }

    private static void handoffs(StringBuilder b, Overview.Figures f) {
        b.append("<section class=\"chart\" id=\"handoffs\">\n<h2>Handoffs between agents</h2>\n");
        int i = 0;
        for (Overview.Flow flow : f.flows()) {
            b.append("<h3>Desk ").append(esc(flow.desk())).append("</h3>\n");
            if (flow.links().isEmpty()) {
                b.append("<p class=\"empty\">Its runs stayed with ").append(esc(flow.entryAgent())).append(": no handoff.</p>\n");
                continue;
            }
            b.append(Sankey.svg(flow, "sankey-" + i++));
            b.append("<table class=\"numbers\"><thead><tr><th>From</th><th>To</th><th>Handoffs</th></tr></thead>\n<tbody>\n");
            for (Overview.Link l : flow.links()) {
                b.append("<tr><td>").append(esc(l.from())).append("</td><td>").append(esc(l.to())).append("</td><td class=\"num\">")
                        .append(l.count()).append("</td></tr>\n");
            }
            b.append("</tbody></table>\n");
        }
        b.append("</section>\n");
    }

    // ---- small pieces

    private static void option(StringBuilder b, String value, String label, boolean selected) {
        b.append("<option value=\"").append(esc(value)).append('"').append(selected ? " selected" : "").append('>')
                .append(esc(label)).append("</option>");
    }

    private static String window(int minutes) {
        String named = WINDOWS.get(minutes);
        return named != null ? named : "last " + minutes + " minutes";
    }

    /** A bucket's start: the time of day, with the date when the window is longer than a day. */
    private static String time(Instant at, Overview.Figures f) {
        return (f.minutes() > 1440 ? DAY_MINUTE : HOUR_MINUTE).format(at);
    }

    private static String ms(@Nullable Long ms) {
        if (ms == null) {
            return "–";
        }
        return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static String lower(RunStatus s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
