package dev.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void the_demo_walks_through_every_desk_and_exits_zero() {
        Cli.Result r = Cli.inProcess(dir, "", "demo");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("store temporary (deleted at exit)")
                .contains("=== desk support", "=== desk acme", "=== desk rma")
                // support: three specialists, and an approval granted by the script
                .contains("-> handoff support_triage -> billing_specialist")
                .contains("-> handoff support_triage -> technical_specialist")
                .contains("-> handoff support_triage -> account_specialist")
                .contains("Approve process_refund {\"invoice_id\":\"INV-9000\"").contains("? [y/n] y")
                // support: a new topic goes back through triage; a plan change waits for approval
                .contains("-> handoff billing_specialist -> support_triage")
                .contains("Approve change_plan {\"customer\":\"C-1004\",\"plan\":\"BUSINESS\"} (prorated charge $210.60")
                // support: a how-to question answered from the help center, an MCP server the desk starts
                .contains("customer> How do I set up single sign-on with Okta for my team?\n"
                        + "-> handoff support_triage -> technical_specialist\n"
                        + "   tool search_help_articles {\"query\":\"single signon okta team\"}\n"
                        + "   => search_help_articles: KB-1042 \"Set up single sign-on (SAML) with Okta\"")
                .contains("[technical_specialist] Help articles: KB-1042 \"Set up single sign-on (SAML) with Okta\"")
                // acme: seed 001 played through: which item, what is wrong, a fix, the refund of the shoes with approval,
                // back to triage and the manager; then repairs, back to triage, sales
                .contains("customer> I want a refund\n-> handoff triage_agent -> issues_and_repairs\n"
                        + "[issues_and_repairs] To refund an item I need a description or keywords of the item.")
                .contains("customer> A pair of shoes I bought\n[issues_and_repairs] To refund an item I need to know why you want a refund.")
                .contains("tool find_known_fix {\"product\":\"shoes\"}")
                .contains("Approve execute_refund {\"item_id\":\"item_61374\",\"reason\":\"The shoes are too small\"} "
                        + "(Leather Walking Shoes, $240)? [y/n] y")
                .contains("[issues_and_repairs] Done: I refunded $240.00")
                .contains("customer> I want to talk to your manager\n-> handoff issues_and_repairs -> triage_agent\n"
                        + "-> handoff triage_agent -> human_agent")
                .contains("-> handoff triage_agent -> issues_and_repairs")
                .contains("-> handoff issues_and_repairs -> triage_agent")
                .contains("-> handoff triage_agent -> sales_agent")
                .contains("-> handoff triage_agent -> human_agent")
                .contains("operator> " + DemoCommand.OPERATOR_ANSWERS.get(0))
                .contains("operator> " + DemoCommand.OPERATOR_ANSWERS.get(1))
                // rma: specialists and a guardrail trip
                .contains("-> handoff support_triage -> rma_specialist")
                .contains("-> handoff support_triage -> product_specialist")
                .contains("!! guardrail priority tripped")
                .contains("Demo done: 3 desks, 19 steps.");
        assertThat(dir.resolve(".baton")).doesNotExist();
    }

    @Test
    void the_demo_of_one_desk_shows_only_that_desk() {
        Cli.Result r = Cli.inProcess(dir, "", "demo", "--desk", "rma");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("=== desk rma").doesNotContain("=== desk support").contains("Demo done: 1 desk");
    }
}
