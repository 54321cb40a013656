package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.model.Model;
import dev.baton.run.RunConfig;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.testing.ConformanceRequests;
import dev.baton.testing.ModelConformance;
import dev.baton.testing.ConformanceScript;
import dev.baton.agent.Agent;
import dev.baton.schema.Description;
import dev.baton.tool.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared model conformance suite, against a loopback server that follows the support-flow script. */
class ChatCompletionsConformanceTest extends ModelConformance {
    record InvoiceQuery(@Description("Invoice id, e.g. INV-8821") String invoiceId) {}

    private final FixtureServer server = SupportFlowServer.start();

    @Override
    protected Model createModel() {
        return OpenAIChatCompletionsModel.create(server.settings(), "fixture-model");
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void the_support_desk_runs_through_a_provider_resolving_the_model_by_name() {
        try (OpenAIProvider provider = new OpenAIProvider(server.settings())) {
            Runner runner = Runner.create(RunConfig.builder().modelProvider(provider).build());

            Tool<Void> getInvoice = Tool.of(ConformanceScript.INVOICE_TOOL, "Fetch an invoice by id.", InvoiceQuery.class,
                    (ctx, query) -> "{\"id\":\"" + query.invoiceId() + "\",\"amount\":99,\"status\":\"paid\"}");
            Agent<Void> billing = Agent.<Void>builder(ConformanceScript.BILLING)
                    .handoffDescription("Invoices, charges, refunds.")
                    .instructions("Look up the invoice before answering.")
                    .model("fixture-model")
                    .tools(getInvoice)
                    .build();
            Agent<Void> triage = Agent.<Void>builder(ConformanceScript.TRIAGE)
                    .instructions("Route the customer to the right specialist.")
                    .model("openai/fixture-model")
                    .handoffs(billing)
                    .build();

            RunResult result = runner.run(triage, ConformanceRequests.CUSTOMER_MESSAGE);

            assertThat(result.finalOutputText()).contains("Refund initiated");
            assertThat(result.lastAgent()).isEqualTo(ConformanceScript.BILLING);
            assertThat(server.requests()).hasSize(3)
                    .allSatisfy(r -> assertThat(r.json().get("model").asText()).isEqualTo("fixture-model"));
            // The billing agent's last request answers the invoice call with exactly one tool message.
            var messages = server.lastRequest().json().get("messages");
            assertThat(messages.get(messages.size() - 1).get("role").asText()).isEqualTo("tool");
        }
    }
}
