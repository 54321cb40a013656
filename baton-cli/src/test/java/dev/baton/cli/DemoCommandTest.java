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
                // acme: repairs, back to triage, sales, and the human agent answered by the scripted operator
                .contains("-> handoff triage_agent -> issues_and_repairs")
                .contains("-> handoff issues_and_repairs -> triage_agent")
                .contains("-> handoff triage_agent -> sales_agent")
                .contains("-> handoff triage_agent -> human_agent")
                .contains("operator> " + DemoCommand.OPERATOR_ANSWERS.get(0))
                // rma: specialists and a guardrail trip
                .contains("-> handoff support_triage -> rma_specialist")
                .contains("-> handoff support_triage -> product_specialist")
                .contains("!! guardrail priority tripped")
                .contains("Demo done: 3 desks");
        assertThat(dir.resolve(".baton")).doesNotExist();
    }

    @Test
    void the_demo_of_one_desk_shows_only_that_desk() {
        Cli.Result r = Cli.inProcess(dir, "", "demo", "--desk", "rma");

        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(r.out()).contains("=== desk rma").doesNotContain("=== desk support").contains("Demo done: 1 desk");
    }
}
