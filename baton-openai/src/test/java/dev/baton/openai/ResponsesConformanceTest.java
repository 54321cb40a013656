package dev.baton.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.agent.Agent;
import dev.baton.model.Model;
import dev.baton.run.RunConfig;
import dev.baton.run.RunResult;
import dev.baton.run.Runner;
import dev.baton.schema.Description;
import dev.baton.testing.ConformanceRequests;
import dev.baton.testing.ConformanceScript;
import dev.baton.testing.ModelConformance;
import dev.baton.tool.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared model conformance suite for the Responses model, against a loopback server that follows the support-flow script. */
class ResponsesConformanceTest extends ModelConformance {
    record InvoiceQuery(@Description("Invoice id, e.g. INV-8821") String invoiceId) {}

    private final FixtureServer server = ResponsesSupportFlowServer.start();

    @Override
    protected Model createModel() {
        return OpenAIResponsesModel.create(ResponsesSupportFlowServer.settings(server), "fixture-model");
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void the_support_desk_runs_through_a_provider_set_to_the_responses_api() {
        try (OpenAIProvider provider = new OpenAIProvider(ResponsesSupportFlowServer.settings(server))) {
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
            assertThat(server.requests()).hasSize(3).allSatisfy(r -> {
                assertThat(r.path()).isEqualTo("/v1/responses");
                assertThat(r.json().get("model").asText()).isEqualTo("fixture-model");
                assertThat(r.json().get("store").asBoolean()).isFalse();
            });
            // The billing agent's last request sends the invoice call (with its item id) and its output as a pair.
            JsonNode input = server.lastRequest().json().get("input");
            JsonNode last = input.get(input.size() - 1);
            JsonNode call = input.get(input.size() - 2);
            assertThat(last.get("type").asText()).isEqualTo("function_call_output");
            assertThat(call.get("type").asText()).isEqualTo("function_call");
            assertThat(call.get("call_id").asText()).isEqualTo(last.get("call_id").asText());
            assertThat(call.get("id").asText()).startsWith("fc_");
            assertThat(server.lastRequest().json().get("instructions").asText()).isEqualTo("Look up the invoice before answering.");
        }
    }
}
