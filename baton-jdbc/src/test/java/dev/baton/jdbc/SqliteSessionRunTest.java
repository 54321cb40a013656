package dev.baton.jdbc;

import static dev.baton.testing.Steps.callTool;
import static dev.baton.testing.Steps.handoffTo;
import static dev.baton.testing.Steps.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.agent.Agent;
import dev.baton.agent.Team;
import dev.baton.handoff.Handoff;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.ModelRequest;
import dev.baton.run.RunConfig;
import dev.baton.run.RunOptions;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.schema.Description;
import dev.baton.testing.BatonAssertions;
import dev.baton.testing.ScriptedModel;
import dev.baton.tool.Tool;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run on a session kept in SQLite: the conversation and its holder outlive the store instance. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SqliteSessionRunTest {

    record GetInvoice(@Description("Invoice id, e.g. INV-8821") String invoiceId) {}

    record Invoice(String id, int amount, String status) {}

    @TempDir
    Path dir;

    private static Team<Void> desk() {
        Tool<Void> getInvoice = Tool.of("get_invoice", "Fetch an invoice by id.", GetInvoice.class,
                (ctx, args) -> new Invoice(args.invoiceId(), 99, "paid"));
        Agent<Void> billing = Agent.<Void>builder("billing_specialist")
                .handoffDescription("Invoices, charges, refunds")
                .instructions("Look up the invoice before you answer.")
                .tools(getInvoice)
                .handoffs(Handoff.to("support_triage"))
                .build();
        Agent<Void> triage = Agent.<Void>builder("support_triage")
                .instructions("Route the customer to the right specialist.")
                .handoffs("billing_specialist")
                .build();
        return Team.of(triage, billing);
    }

    @Test
    void the_next_message_goes_to_the_specialist_after_the_store_is_reopened() {
        Path file = dir.resolve("desk.db");
        Team<Void> desk = desk();

        ScriptedModel first = ScriptedModel.create()
                .forAgent("support_triage", handoffTo("billing_specialist"))
                .forAgent("billing_specialist",
                        callTool("get_invoice", new GetInvoice("INV-8821")),
                        reply("Refund initiated for INV-8821."));
        try (SqliteSessionStore store = SqliteSessionStore.open(file)) {
            Runner runner = Runner.create(RunConfig.builder().defaultModel(first).sessionStore(store).build());
            RunResult result = runner.run(desk.agent("support_triage"), "I was charged twice", RunOptions.session("ticket-42"));

            BatonAssertions.assertThat(result)
                    .handedOffTo("billing_specialist")
                    .usedTool("get_invoice", new GetInvoice("INV-8821"))
                    .lastAgent("billing_specialist")
                    .finalOutputContains("Refund initiated");
            first.verify();
        }

        ScriptedModel second = ScriptedModel.create()
                .forAgent("billing_specialist", reply("It will reach your card in 3 days."));
        try (SqliteSessionStore reopened = SqliteSessionStore.open(file)) {
            assertThat(reopened.activeAgent("ticket-42")).contains("billing_specialist");

            Runner runner = Runner.create(RunConfig.builder().defaultModel(second).sessionStore(reopened).build());
            RunResult result = runner.run(desk.agent("support_triage"), "When will I get it?", RunOptions.session("ticket-42"));

            BatonAssertions.assertThat(result)
                    .lastAgent("billing_specialist")
                    .finalOutputContains("3 days");
            second.verify();

            // The specialist saw the whole conversation, read back from the file.
            ModelRequest request = second.requests().get(0);
            List<Item> input = request.input();
            assertThat(input.get(0)).isEqualTo(Message.user("I was charged twice"));
            assertThat(input).anySatisfy(item -> assertThat(item).isInstanceOf(ToolCall.class)
                    .extracting(i -> ((ToolCall) i).name()).isEqualTo("get_invoice"));
            assertThat(input).anySatisfy(item -> assertThat(item).isInstanceOf(ToolOutput.class));
            assertThat(input.get(input.size() - 1)).isEqualTo(Message.user("When will I get it?"));

            List<Item> stored = reopened.items("ticket-42", 0);
            assertThat(stored.get(0)).isEqualTo(Message.user("I was charged twice"));
            assertThat(stored.get(stored.size() - 1)).isInstanceOf(Message.class)
                    .extracting(i -> ((Message) i).text()).isEqualTo("It will reach your card in 3 days.");
        }
    }
}
