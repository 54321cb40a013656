package dev.baton.bench;

import dev.baton.agent.Agent;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.Model;
import dev.baton.model.ModelRequest;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.RunResult;
import dev.baton.tool.Tool;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code support-flow} scenario, exactly as the peer implements it: triage hands to billing,
 * billing calls {@code get_invoice}, then answers. The model is scripted in process.
 */
public final class SupportFlow {
    public static final String INPUT = "I was charged $99 twice (INV-8821). Refund?";
    static final String HANDOFF_TOOL = "transfer_to_billing_specialist";
    public static final String ANSWER = "Refund initiated for INV-8821.";

    public record GetInvoice(String invoiceId) {}

    public record Invoice(String id, int amount, String status) {}

    private SupportFlow() {}

    public static Agent<Void> triage() {
        Tool<Void> getInvoice = Tool.of("get_invoice", "Fetch an invoice by id.", GetInvoice.class,
                (ctx, args) -> new Invoice(args.invoiceId(), 99, "paid"));
        Agent<Void> billing = Agent.<Void>builder("billing_specialist").tools(getInvoice).build();
        return Agent.<Void>builder("support_triage").handoffs(billing).build();
    }

    /** The run's checks: the billing specialist answered, and the answer is about the refund. */
    public static boolean check(RunResult result) {
        return "billing_specialist".equals(result.lastAgent()) && result.finalOutputText().contains("Refund");
    }

    /** The scripted model; waits {@code latencyMs} before each answer when that is positive. */
    public static final class ScriptModel implements Model {
        private final long latencyMs;
        private final AtomicLong ids = new AtomicLong();
        private static final Usage USAGE = Usage.of(10, 5);

        public ScriptModel(long latencyMs) {
            this.latencyMs = latencyMs;
        }

        @Override
        public ModelResponse respond(ModelRequest request) {
            if (latencyMs > 0) {
                try {
                    Thread.sleep(latencyMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            if (request.handoffByTool(HANDOFF_TOOL) != null) {
                return answer(new ToolCall(nextId(), HANDOFF_TOOL, "{}"));
            }
            if (request.lastInput() instanceof ToolOutput out && isInvoiceOutput(request.input(), out.callId())) {
                return answer(Message.assistant(ANSWER));
            }
            return answer(new ToolCall(nextId(), "get_invoice", "{\"invoice_id\":\"INV-8821\"}"));
        }

        private static boolean isInvoiceOutput(List<Item> input, String callId) {
            for (int i = input.size() - 1; i >= 0; i--) {
                if (input.get(i) instanceof ToolCall call && call.callId().equals(callId)) {
                    return call.name().equals("get_invoice");
                }
            }
            return false;
        }

        private String nextId() {
            return "call_" + ids.incrementAndGet();
        }

        private static ModelResponse answer(Item item) {
            return new ModelResponse(List.of(item), USAGE, null);
        }
    }
}
