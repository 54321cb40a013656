package dev.baton.cli.desk;

import static dev.baton.testing.BatonAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.mcp.McpToolProvider;
import dev.baton.offline.OfflineModel;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.session.InMemorySessionStore;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The support desk's help center with the offline model: a how-to question goes to the technical
 * specialist, who calls the help center's MCP server (a real child JVM the desk starts), and the
 * server's process ends when the desk is closed.
 */
@DisplayName("The support desk's help center")
@Timeout(120)
class HelpCenterDeskTest {

    final Runner runner = Runner.create(RunConfig.builder().defaultModel(OfflineModel.create())
            .sessionStore(new InMemorySessionStore()).build());

    /**
     * The child processes of this JVM that still run (the help-center servers the desks started:
     * the tests of this class start no other). A child's command line is not always readable in
     * full (its class path is long), so the processes are told apart by when they appear.
     */
    static Set<ProcessHandle> servers() {
        Set<ProcessHandle> out = new HashSet<>();
        ProcessHandle.current().children().filter(ProcessHandle::isAlive).forEach(out::add);
        return out;
    }

    @Test
    void the_demo_step_goes_to_the_technical_specialist_who_answers_from_the_article_the_mcp_server_found() throws Exception {
        Set<ProcessHandle> before = servers();
        ProcessHandle server;
        try (SupportDesk desk = new SupportDesk()) {
            Desk.DemoStep step = desk.demo().getLast();
            assertThat(step.message()).isEqualTo("How do I set up single sign-on with Okta for my team?");
            assertThat(servers()).as("the desk starts its server on first use, not before").isEqualTo(before);

            RunResult r = runner.run(desk.entry(), step.message(), RunOptions.<SupportDesk.Support>session("s-help")
                    .withContext(desk.newContext()));

            assertThat(r).completed().handedOffTo("technical_specialist").lastAgent("technical_specialist").noErrors()
                    .usedTool("search_help_articles", "{\"query\":\"single signon okta team\"}")
                    .finalOutputContains("KB-1042").finalOutputContains("Set up single sign-on (SAML) with Okta")
                    .finalOutputContains("Okta Admin Console");
            assertThat(r).toolOutput("search_help_articles").startsWith("KB-1042 \"Set up single sign-on (SAML) with Okta\"");
            Set<ProcessHandle> started = new HashSet<>(servers());
            started.removeAll(before);
            assertThat(started).as("one server process, started by this desk").hasSize(1);
            server = started.iterator().next();

            RunResult again = runner.run(desk.entry(), "How do I rotate an API key?", RunOptions.<SupportDesk.Support>session("s-help-2")
                    .withContext(desk.newContext()));
            assertThat(again).handedOffTo("technical_specialist").usedTool("search_help_articles").finalOutputContains("KB-2010");
            assertThat(servers()).as("the same server answers every search").contains(server).hasSize(before.size() + 1);
        }
        server.onExit().get(15, TimeUnit.SECONDS);
        assertThat(server.isAlive()).as("closing the desk ends the server's process").isFalse();
    }

    @Test
    void the_technical_specialists_other_conversations_do_not_search_the_help_center() {
        try (SupportDesk desk = new SupportDesk()) {
            for (String message : List.of("I can't log in since this morning. I'm in eu-west.",
                    "Please send me a password reset, my customer id is C-1001.",
                    "Something else: the service seems to be down for us in eu-west. Is there an outage?")) {
                RunResult r = runner.run(desk.entry(), message, RunOptions.<SupportDesk.Support>session("s-tech")
                        .withContext(desk.newContext()));
                assertThat(r).as(message).lastAgent("technical_specialist").didNotUseTool("search_help_articles");
            }
        }
    }

    @Test
    void a_desk_that_never_needed_the_help_center_closes_without_starting_it_and_closing_twice_is_harmless() {
        Set<ProcessHandle> before = servers();
        SupportDesk desk = new SupportDesk();
        RunResult r = runner.run(desk.entry(), "Hi, I was charged $99 twice last month for invoice INV-8821. Can I get a refund?",
                RunOptions.<SupportDesk.Support>session("s-billing").withContext(desk.newContext()));
        assertThat(r).lastAgent("billing_specialist");
        desk.close();
        desk.close();
        assertThat(servers()).isEqualTo(before);
    }

    @Test
    void the_help_center_names_its_server_not_this_jvms_paths_in_the_agents_fingerprint() {
        try (McpToolProvider a = HelpCenter.provider(); McpToolProvider b = HelpCenter.provider()) {
            assertThat(a.fingerprint()).isEqualTo(b.fingerprint()).doesNotContain(System.getProperty("java.home"))
                    .contains(KnowledgeBaseServer.class.getName());
        }
        assertThat(HelpCenter.command()).contains("-cp", KnowledgeBaseServer.class.getName());
    }
}
