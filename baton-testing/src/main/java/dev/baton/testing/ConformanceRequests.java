package dev.baton.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.item.Image;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.HandoffSpec;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelSettings;
import dev.baton.model.ToolChoice;
import dev.baton.model.ToolSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The model requests of the support flow ({@link ConformanceScript}) at each of its three steps,
 * as the runner would send them. {@link ModelConformance} sends these; a backend's own tests (a
 * fixture server's request mapping) can use them too. Each call returns a new request.
 */
public final class ConformanceRequests {
    /** The customer's message that starts the flow. */
    public static final String CUSTOMER_MESSAGE = "I was charged twice for invoice INV-8821, please refund one.";
    /** What the {@value ConformanceScript#INVOICE_TOOL} tool returns in the flow. */
    public static final String INVOICE_JSON = "{\"id\":\"INV-8821\",\"amount\":99,\"status\":\"paid\"}";

    private static final String HANDOFF_CALL_ID = "call_handoff_1";
    private static final String INVOICE_CALL_ID = "call_invoice_1";

    private ConformanceRequests() {}

    /** Triage's first request: the customer's message, with the handoff to billing offered. */
    public static ModelRequest triage() {
        return new ModelRequest(ConformanceScript.TRIAGE, "Route the customer to the right specialist.",
                List.of(Message.user(CUSTOMER_MESSAGE)), List.of(), List.of(billingHandoff()), null, ModelSettings.defaults());
    }

    /** Billing's first request, right after the handoff: the {@value ConformanceScript#INVOICE_TOOL} tool offered. */
    public static ModelRequest billing() {
        return new ModelRequest(ConformanceScript.BILLING, "Look up the invoice before answering.",
                afterHandoff(), List.of(invoiceTool()), List.of(), null, ModelSettings.defaults());
    }

    /** Billing's second request: the invoice's output is the last input item. */
    public static ModelRequest afterInvoice() {
        List<Item> input = new ArrayList<>(afterHandoff());
        input.add(new ToolCall(INVOICE_CALL_ID, ConformanceScript.INVOICE_TOOL, ConformanceScript.INVOICE_ARGUMENTS));
        input.add(new ToolOutput(INVOICE_CALL_ID, INVOICE_JSON));
        return new ModelRequest(ConformanceScript.BILLING, "Look up the invoice before answering.",
                input, List.of(invoiceTool()), List.of(), null, ModelSettings.defaults());
    }

    /** A scan of the invoice: a tiny PNG, as a tool may return it beside its text. */
    public static final Image INVOICE_SCAN = Image.ofBase64("image/png",
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    /** {@link #afterInvoice()}, with the invoice's output carrying {@link #INVOICE_SCAN} after its text. */
    public static ModelRequest afterInvoiceWithScan() {
        List<Item> input = new ArrayList<>(afterHandoff());
        input.add(new ToolCall(INVOICE_CALL_ID, ConformanceScript.INVOICE_TOOL, ConformanceScript.INVOICE_ARGUMENTS));
        input.add(new ToolOutput(INVOICE_CALL_ID, INVOICE_JSON, List.of(INVOICE_SCAN)));
        return new ModelRequest(ConformanceScript.BILLING, "Look up the invoice before answering.",
                input, List.of(invoiceTool()), List.of(), null, ModelSettings.defaults());
    }

    /** Triage's request with every optional part set: tools, handoffs, sampling and tool-choice settings. */
    public static ModelRequest triageWithEverything() {
        ModelSettings settings = ModelSettings.defaults()
                .withTemperature(0.2)
                .withTopP(0.9)
                .withMaxTokens(256)
                .withToolChoice(ToolChoice.auto())
                .withParallelToolCalls(false);
        return new ModelRequest(ConformanceScript.TRIAGE, "Route the customer to the right specialist.",
                List.of(Message.system("The customer is on the Pro plan."), Message.user(CUSTOMER_MESSAGE)),
                List.of(invoiceTool()), List.of(billingHandoff()), null, settings);
    }

    /** A plain chat request: instructions and one message, no tools or handoffs. */
    public static ModelRequest withoutTools() {
        return ModelRequest.of(ConformanceScript.TRIAGE, "You are a helpful support assistant.",
                List.of(Message.user("Hello, who am I talking to?")));
    }

    /** The transfer function of the handoff from triage to billing, as the runner offers it. */
    public static HandoffSpec billingHandoff() {
        ObjectNode params = objectSchema();
        params.putObject("properties");
        params.putArray("required");
        return new HandoffSpec(new ToolSpec(ConformanceScript.HANDOFF_TOOL,
                "Hand the conversation to the billing_specialist agent, who takes over from here. Invoices, charges, refunds.",
                params, true), ConformanceScript.BILLING);
    }

    /** The {@value ConformanceScript#INVOICE_TOOL} tool, as the runner offers it. */
    public static ToolSpec invoiceTool() {
        ObjectNode params = objectSchema();
        ObjectNode id = params.putObject("properties").putObject("invoice_id");
        id.put("type", "string");
        id.put("description", "Invoice id, e.g. INV-8821");
        params.putArray("required").add("invoice_id");
        return new ToolSpec(ConformanceScript.INVOICE_TOOL, "Fetch an invoice by id.", params, true);
    }

    private static List<Item> afterHandoff() {
        return List.of(
                Message.user(CUSTOMER_MESSAGE),
                new ToolCall(HANDOFF_CALL_ID, ConformanceScript.HANDOFF_TOOL, "{}"),
                new ToolOutput(HANDOFF_CALL_ID, "{\"assistant\":\"billing_specialist\"}"));
    }

    private static ObjectNode objectSchema() {
        ObjectNode schema = JsonNodeFactory.instance.objectNode();
        schema.put("type", "object");
        schema.put("additionalProperties", false);
        return schema;
    }
}
