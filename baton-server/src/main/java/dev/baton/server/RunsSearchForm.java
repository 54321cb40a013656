package dev.baton.server;

import static dev.baton.server.Html.esc;

import dev.baton.agent.Agent;
import dev.baton.durable.RunQuery;
import dev.baton.durable.RunRecord;
import dev.baton.durable.RunStore;
import io.helidon.webserver.http.ServerRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The search part of the runs page's form: a text box {@code q} (a run id, a session id, or text
 * of the input or output), an agent, and how far back ({@code since=hour|day|week}).
 *
 * @param q the text to search for, if any
 * @param agent runs that started with or are held by this agent, if set
 * @param since runs created within this span before now, if set
 */
record RunsSearchForm(@Nullable String q, @Nullable String agent, @Nullable Since since) {

    /** How far back the runs page looks. */
    enum Since {
        HOUR(Duration.ofHours(1), "last hour"),
        DAY(Duration.ofDays(1), "last day"),
        WEEK(Duration.ofDays(7), "last week");

        final Duration span;
        final String label;

        Since(Duration span, String label) {
            this.span = span;
            this.label = label;
        }

        String param() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The search of the request, or empty when {@code since} names no span. */
    static Optional<RunsSearchForm> of(ServerRequest req) {
        String since = Api.param(req, "since");
        Since span = null;
        if (since != null) {
            try {
                span = Since.valueOf(since.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.of(new RunsSearchForm(Api.param(req, "q"), Api.param(req, "agent"), span));
    }

    boolean isEmpty() {
        return q == null && agent == null && since == null;
    }

    /** The runs of {@code query} this search finds, {@code now} being the end of the span. */
    List<RunRecord> find(RunStore store, RunQuery query, Instant now) {
        RunQuery narrowed = query.withAgent(agent).between(since == null ? null : now.minus(since.span), null);
        return RunSearch.find(store, narrowed, q);
    }

    /** The query string of what is set, each as {@code &name=value}, for the table the page refreshes. */
    String query() {
        StringBuilder b = new StringBuilder();
        if (q != null) {
            b.append("&q=").append(url(q));
        }
        if (agent != null) {
            b.append("&agent=").append(url(agent));
        }
        if (since != null) {
            b.append("&since=").append(since.param());
        }
        return b.toString();
    }

    /** The form's fields for {@code f}: the search box, the agents of every desk, and the spans. */
    static void fields(StringBuilder b, RunsSearchForm f, Desks desks) {
        b.append("<label>Search <input type=\"search\" name=\"q\" value=\"").append(esc(f.q() == null ? "" : f.q()))
                .append("\" placeholder=\"run id, session or text\"></label>\n");
        TreeSet<String> agents = new TreeSet<>();
        desks.byName().values().forEach(d -> d.agents().values().stream().map(Agent::name).forEach(agents::add));
        if (f.agent() != null) {
            agents.add(f.agent());
        }
        b.append("<label>Agent <select name=\"agent\"><option value=\"\">all</option>");
        agents.forEach(name -> option(b, name, name, name.equals(f.agent())));
        b.append("</select></label>\n<label>Created <select name=\"since\"><option value=\"\">any time</option>");
        for (Since s : Since.values()) {
            option(b, s.param(), s.label, s == f.since());
        }
        b.append("</select></label>\n");
    }

    private static void option(StringBuilder b, String value, String label, boolean selected) {
        b.append("<option value=\"").append(esc(value)).append('"').append(selected ? " selected" : "").append('>')
                .append(esc(label)).append("</option>");
    }

    private static String url(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
