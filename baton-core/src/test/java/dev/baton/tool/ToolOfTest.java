package dev.baton.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.UserError;
import dev.baton.run.RunContext;
import dev.baton.schema.Description;
import dev.baton.schema.InvalidArgumentsException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolOfTest {

    record Support(String customer) {}

    record GetInvoice(@Description("Invoice id, e.g. INV-8821") String invoiceId) {}

    private final Tool<Support> getInvoice = Tool.of("get_invoice", "Fetch an invoice by id.", GetInvoice.class,
            (ctx, args) -> "invoice " + args.invoiceId() + " of " + ctx.context().customer() + " (" + ctx.callId() + ")");

    @Test
    void bindsTheModelsArgumentsToTheRecordAndRunsTheBody() throws Exception {
        String json = "{\"invoice_id\":\"INV-8821\"}";

        Object result = getInvoice.call(context(json), json);

        assertThat(result).isEqualTo("invoice INV-8821 of acme (call_1)");
    }

    @Test
    void sendsTheRecordsStrictSchema() {
        assertThat(getInvoice.spec().name()).isEqualTo("get_invoice");
        assertThat(getInvoice.spec().strict()).isTrue();
        assertThat(getInvoice.parameters().toString()).isEqualTo("{\"type\":\"object\",\"properties\":{\"invoice_id\":"
                + "{\"type\":\"string\",\"description\":\"Invoice id, e.g. INV-8821\"}},\"required\":[\"invoice_id\"],"
                + "\"additionalProperties\":false}");
    }

    @Test
    void argumentsThatDoNotFitAreInvalid() {
        String json = "{\"invoiceId\":\"INV-8821\"}";

        assertThatThrownBy(() -> getInvoice.call(context(json), json))
                .isInstanceOf(InvalidArgumentsException.class)
                .hasMessage("unknown property 'invoiceId' (expected: invoice_id)");
    }

    @Test
    void anArgumentsTypeAStrictSchemaCannotDescribeIsRejectedWhenTheToolIsMade() {
        record Labels(Map<String, String> labels) {}

        assertThatThrownBy(() -> Tool.of("label", "Label things.", Labels.class, (ctx, args) -> "ok"))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("'labels'");
    }

    private static ToolContext<Support> context(String json) {
        return new ToolContext<>(RunContext.of(new Support("acme")), "agent", "get_invoice", "call_1", json);
    }
}
