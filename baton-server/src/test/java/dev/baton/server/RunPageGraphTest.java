package dev.baton.server;

import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.handoff.Handoff;
import dev.baton.testing.ScriptedModel;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@Timeout(60)
class RunPageGraphTest {
    /** A specialist whose name is markup: the drawing must show it as text. */
    static final String TECH = "tech <i>support</i>";
    static final String TECH_ESCAPED = "tech &lt;i&gt;support&lt;/i&gt;";

    final WebUiTest ui = new WebUiTest();

    @AfterEach
    void stop() {
        ui.stop();
    }

    /** Triage hands off to billing or to tech; this run goes to billing. */
    String runThroughBilling() {
        Agent<Void> tech = Agent.<Void>builder(TECH).instructions("Fix things.").build();
        Agent<Void> triage = Agent.<Void>builder("triage").instructions("Route the customer.")
                .handoffs(Handoff.to(Desk.billing()), Handoff.to(tech)).build();
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"))
                .forAgent("billing", reply("Your order is on its way."));
        ui.server = Desk.server(model).desk("support", triage).build().start();
        ui.http = new Http(ui.server);
        return ui.finishedRun("Where is my order?");
    }

    @Test
    void the_run_page_draws_the_desks_handoff_graph_with_the_runs_path_marked_and_numbered() {
        String id = runThroughBilling();

        String html = ui.page("/ui/runs/" + id).html();

        int svg = html.indexOf("<svg class=\"chart handoff-graph\"");
        int list = html.indexOf("<ul class=\"graph\">");
        assertThat(svg).as("the drawing comes after the graph's heading").isGreaterThan(html.indexOf("<h2>Handoff graph of desk support</h2>"));
        assertThat(list).as("the list of edges stays, under the drawing").isGreaterThan(svg);
        String drawing = html.substring(svg, html.indexOf("</svg>", svg));
        assertThat(drawing).contains("<title id=\"handoff-graph-title\">Handoff graph of desk support</title>")
                .contains("this run went triage → billing.");
        // The entry agent in the first column, both specialists in the second.
        assertThat(drawing).contains("<g class=\"node on-path entry\"><title>triage (entry agent)</title><rect x=\"20\"")
                .contains("<g class=\"node on-path\"><title>billing</title><rect x=\"240\"")
                .contains("<g class=\"node\"><title>" + TECH_ESCAPED + "</title><rect x=\"240\"");
        // The handoff taken is thick and numbered as step 1; the other is a plain arrow.
        assertThat(drawing).containsPattern("<path class=\"edge on-path\" d=\"M[^\"]+\" marker-end=\"url\\(#arrow-on-path\\)\">"
                + "<title>triage → billing \\(this run, step 1\\)</title>");
        assertThat(drawing).containsPattern("<path class=\"edge\" d=\"M[^\"]+\" marker-end=\"url\\(#arrow\\)\"><title>triage → "
                + Pattern.quote(TECH_ESCAPED) + "</title>");
        assertThat(WebUiTest.count(drawing, "<g class=\"step\">")).isEqualTo(1);
        assertThat(drawing).contains("<text class=\"step-number\"").contains(">1</text>");
        assertThat(drawing).doesNotContain("<i>").doesNotContain("style=");
        assertThat(html).contains("<li class=\"edge on-path\">triage → billing <span class=\"badge\">this run</span></li>")
                .contains("<li class=\"edge\">triage → " + TECH_ESCAPED + "</li>");
    }

    @Test
    void a_handoff_back_loops_over_the_agents_and_a_handoff_taken_twice_carries_both_step_numbers() {
        Agent<Void> billing = Agent.<Void>builder("billing").instructions("Bill.").handoffs("triage").build();
        Agent<Void> triage = Team.of(Agent.<Void>builder("triage").instructions("Route.").handoffs("billing").build(), billing)
                .agent("triage");
        ScriptedModel model = ScriptedModel.create()
                .forAgent("triage", handoffTo("billing"), handoffTo("billing"))
                .forAgent("billing", handoffTo("triage"), reply("Sorted."));
        ui.server = Desk.server(model).desk("support", triage).build().start();
        ui.http = new Http(ui.server);
        String id = ui.finishedRun("Charged twice, then again");

        String html = ui.page("/ui/runs/" + id).html();

        String drawing = html.substring(html.indexOf("<svg class=\"chart handoff-graph\""), html.indexOf("</svg>"));
        assertThat(drawing).contains("this run went triage → billing → triage → billing.")
                .contains("<title>triage → billing (this run, step 1, 3)</title>")
                .contains("<title>billing → triage (this run, step 2)</title>")
                .contains(">1, 3</text>").contains(">2</text>");
        assertThat(WebUiTest.count(drawing, "<g class=\"step\">")).isEqualTo(2);
        // Both agents top their columns, so the way back loops over them: its curve rises above the agents' tops.
        Matcher back = Pattern.compile("<path class=\"edge on-path\" d=\"M([\\d.]+),([\\d.]+) C([\\d.]+),(-?[\\d.]+) [^\"]*\" "
                + "marker-end=\"url\\(#arrow-on-path\\)\"><title>billing → triage").matcher(drawing);
        assertThat(back.find()).isTrue();
        assertThat(Double.parseDouble(back.group(4))).isLessThan(Double.parseDouble(back.group(2)));
    }

    @Test
    void a_desk_whose_agent_hands_off_to_no_one_has_no_drawing() {
        ScriptedModel model = ScriptedModel.create().forAgent("billing", reply("Done."));
        ui.server = Desk.server(model).desk("refunds", Desk.billing()).build().start();
        ui.http = new Http(ui.server);
        String id = ui.http.post("/api/desks/refunds/runs", "{\"input\": \"Hello\"}").body().get("id").asText();
        assertThat(ui.http.awaitEnd(id).get("status").asText()).isEqualTo("completed");

        String html = ui.page("/ui/runs/" + id).html();

        assertThat(html).contains("Its agent billing hands off to no one.").doesNotContain("<svg");
    }
}
