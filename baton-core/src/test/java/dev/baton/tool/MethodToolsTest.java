package dev.baton.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.UserError;
import dev.baton.run.RunContext;
import dev.baton.schema.Description;
import dev.baton.schema.InvalidArgumentsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class MethodToolsTest {

    enum Status { OPEN, PAID }

    record Invoice(String id, long amountCents, Status status) {}

    public static final class InvoiceTools {
        final List<String> refunded = new ArrayList<>();

        @ToolMethod(description = "Fetch an invoice by id.")
        public Invoice getInvoice(@Description("Invoice id, e.g. INV-8821") String invoiceId) {
            return new Invoice(invoiceId, 1250, Status.OPEN);
        }

        @ToolMethod(name = "issue_refund", description = "Refund an invoice.")
        public String refund(String invoiceId, @Nullable String reason, ToolContext<String> context) {
            refunded.add(invoiceId + " for " + context.context() + " in " + context.callId()
                    + (reason == null ? "" : " (" + reason + ")"));
            return "refunded " + invoiceId;
        }

        public String notATool() {
            return "";
        }
    }

    @Test
    void makesOneToolPerAnnotatedMethodSortedByName() {
        List<Tool<String>> tools = Tool.fromMethods(new InvoiceTools());

        assertThat(tools).extracting(Tool::name).containsExactly("get_invoice", "issue_refund");
        assertThat(tools).extracting(Tool::description).containsExactly("Fetch an invoice by id.", "Refund an invoice.");
    }

    @Test
    void theParametersBecomeTheStrictSchema() {
        Tool<String> refund = tool(Tool.fromMethods(new InvoiceTools()), "issue_refund");

        assertThat(refund.strict()).isTrue();
        assertThat(refund.parameters().get("required").toString()).isEqualTo("[\"invoice_id\",\"reason\"]");
        assertThat(refund.parameters().get("additionalProperties").asBoolean(true)).isFalse();
        assertThat(tool(Tool.fromMethods(new InvoiceTools()), "get_invoice").parameters()
                .at("/properties/invoice_id/description").asText()).isEqualTo("Invoice id, e.g. INV-8821");
    }

    @Test
    void callingAToolBindsTheArgumentsAndInvokesTheMethod() throws Exception {
        Tool<String> getInvoice = tool(Tool.fromMethods(new InvoiceTools()), "get_invoice");

        Object result = getInvoice.call(context("get_invoice", "{\"invoice_id\":\"INV-7\"}"), "{\"invoice_id\":\"INV-7\"}");

        assertThat(result).isEqualTo(new Invoice("INV-7", 1250, Status.OPEN));
    }

    @Test
    void aToolContextParameterReceivesTheCall() throws Exception {
        InvoiceTools target = new InvoiceTools();
        Tool<String> refund = tool(Tool.fromMethods(target), "issue_refund");
        String json = "{\"invoice_id\":\"INV-7\",\"reason\":\"duplicate\"}";

        Object result = refund.call(context("issue_refund", json), json);

        assertThat(result).isEqualTo("refunded INV-7");
        assertThat(target.refunded).containsExactly("INV-7 for acme in call_1 (duplicate)");
    }

    @Test
    void invalidArgumentsAreReportedBeforeTheMethodRuns() {
        InvoiceTools target = new InvoiceTools();
        Tool<String> refund = tool(Tool.fromMethods(target), "issue_refund");

        assertThatThrownBy(() -> refund.call(context("issue_refund", "{}"), "{}"))
                .isInstanceOf(InvalidArgumentsException.class)
                .hasMessage("missing required property 'invoice_id'");
        assertThat(target.refunded).isEmpty();
    }

    public static final class FailingTools {
        @ToolMethod(description = "Always fails with a checked exception.")
        public String readLedger() throws IOException {
            throw new IOException("ledger unavailable");
        }

        @ToolMethod(description = "Always fails with an unchecked exception.")
        public String closeBooks() {
            throw new IllegalStateException("books already closed");
        }
    }

    @Test
    void whatTheMethodThrowsPropagatesUnwrapped() {
        List<Tool<String>> tools = Tool.fromMethods(new FailingTools());

        assertThatThrownBy(() -> tool(tools, "read_ledger").call(context("read_ledger", "{}"), "{}"))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("ledger unavailable");
        assertThatThrownBy(() -> tool(tools, "close_books").call(context("close_books", "{}"), "{}"))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("books already closed");
    }

    private static final class HiddenTools {
        private int calls;

        @ToolMethod(description = "Counts calls.")
        public int count() {
            return ++calls;
        }

        @ToolMethod(description = "A static tool.")
        public static String version() {
            return "1.0";
        }

        @ToolMethod(description = "Returns nothing.")
        public void reset() {
            calls = 0;
        }
    }

    @Test
    void methodsOfAPrivateClassAndStaticAndVoidMethodsWork() throws Exception {
        List<Tool<String>> tools = Tool.fromMethods(new HiddenTools());

        assertThat(tools).extracting(Tool::name).containsExactly("count", "reset", "version");
        assertThat(tool(tools, "count").call(context("count", ""), "")).isEqualTo(1);
        assertThat(tool(tools, "count").call(context("count", "{}"), "{}")).isEqualTo(2);
        assertThat(tool(tools, "version").call(context("version", "{}"), "{}")).isEqualTo("1.0");
        assertThat(tool(tools, "reset").call(context("reset", "{}"), "{}")).isEqualTo("");
    }

    public static final class ClashingTools {
        @ToolMethod(name = "lookup", description = "By id.")
        public String byId(String id) {
            return id;
        }

        @ToolMethod(name = "lookup", description = "By email.")
        public String byEmail(String email) {
            return email;
        }
    }

    @Test
    void twoMethodsWithOneToolNameAreRejected() {
        assertThatThrownBy(() -> Tool.fromMethods(new ClashingTools()))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("'lookup'");
    }

    @Test
    void anObjectWithoutToolMethodsIsRejected() {
        assertThatThrownBy(() -> Tool.fromMethods(new Object()))
                .isInstanceOf(UserError.class)
                .hasMessage("java.lang.Object has no @ToolMethod methods");
    }

    public static final class NonPublicTool {
        @ToolMethod(description = "Cannot be seen.")
        String secret() {
            return "";
        }
    }

    @Test
    void aNonPublicToolMethodIsRejectedRatherThanIgnored() {
        assertThatThrownBy(() -> Tool.fromMethods(new NonPublicTool()))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("secret")
                .hasMessageContaining("must be public");
    }

    public static final class MapTool {
        @ToolMethod(description = "Takes free-form labels.")
        public String label(java.util.Map<String, String> labels) {
            return "";
        }
    }

    @Test
    void aParameterAStrictSchemaCannotDescribeIsRejected() {
        assertThatThrownBy(() -> Tool.fromMethods(new MapTool()))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("'labels'");
    }

    private static Tool<String> tool(List<Tool<String>> tools, String name) {
        return tools.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static ToolContext<String> context(String toolName, String json) {
        return new ToolContext<>(RunContext.of("acme"), "billing", toolName, "call_1", json);
    }
}
