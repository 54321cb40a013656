package dev.baton.testing;

import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import java.util.List;

/**
 * The behaviour {@link ModelConformance} expects of the model under test, as a function: a
 * two-agent support desk where triage hands to billing, billing looks the invoice up, then
 * answers. Backends that cannot run a real model (a fixture HTTP server standing in for a
 * provider) emulate exactly this; {@code ScriptedModel.answering(ConformanceScript::supportFlow)}
 * is the reference implementation.
 *
 * <ol>
 *   <li>If the request offers a handoff whose function is {@value #HANDOFF_TOOL}: call it with {@code {}}.</li>
 *   <li>Else, if the last input item is the output of a {@value #INVOICE_TOOL} call (found by its
 *       call id among the input's calls): answer the text {@value #REFUND_REPLY}</li>
 *   <li>Else: call {@value #INVOICE_TOOL} with {@value #INVOICE_ARGUMENTS}.</li>
 * </ol>
 *
 * <p>Call ids are {@code call_<function name>_<number of input items>}, unique within a run since
 * the input grows with every turn. Usage follows {@link ScriptedUsage}; there is no response id.
 */
public final class ConformanceScript {
    /** The agent that receives the customer and hands off. */
    public static final String TRIAGE = "support_triage";
    /** The agent that takes over, looks up the invoice and answers. */
    public static final String BILLING = "billing_specialist";
    /** The transfer function of the handoff from triage to billing. */
    public static final String HANDOFF_TOOL = "transfer_to_billing_specialist";
    /** The tool billing calls. */
    public static final String INVOICE_TOOL = "get_invoice";
    /** The invoice the flow is about. */
    public static final String INVOICE_ID = "INV-8821";
    /** The arguments of the {@value #INVOICE_TOOL} call. */
    public static final String INVOICE_ARGUMENTS = "{\"invoice_id\":\"INV-8821\"}";
    /** The final answer. */
    public static final String REFUND_REPLY = "Refund initiated for INV-8821.";

    private ConformanceScript() {}

    /** The support-flow answer to {@code request}. */
    public static ModelResponse supportFlow(ModelRequest request) {
        List<Item> output;
        if (request.handoffByTool(HANDOFF_TOOL) != null) {
            output = List.of(new ToolCall(callId(HANDOFF_TOOL, request), HANDOFF_TOOL, "{}"));
        } else if (answersInvoiceCall(request)) {
            output = List.of(Message.assistant(REFUND_REPLY));
        } else {
            output = List.of(new ToolCall(callId(INVOICE_TOOL, request), INVOICE_TOOL, INVOICE_ARGUMENTS));
        }
        return new ModelResponse(output, ScriptedUsage.of(request, output));
    }

    private static boolean answersInvoiceCall(ModelRequest request) {
        if (!(request.lastInput() instanceof ToolOutput out)) {
            return false;
        }
        return request.input().stream()
                .anyMatch(i -> i instanceof ToolCall c && c.callId().equals(out.callId()) && c.name().equals(INVOICE_TOOL));
    }

    private static String callId(String function, ModelRequest request) {
        return "call_" + function + "_" + request.input().size();
    }
}
