package dev.baton.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.baton.run.RunContext;
import dev.baton.tool.ToolContext;
import java.lang.reflect.Method;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class JsonArgumentsTest {

    enum Priority { LOW, MEDIUM, HIGH }

    record Refund(String invoiceId, double amount, Priority priority, @Nullable String reason) {}

    record Customer(String name, String email) {}

    record Line(String sku, int quantity) {}

    record Order(Customer customer, List<Line> lines, Optional<String> coupon, @Nullable LocalDate deliverBy) {}

    record Ping() {}

    /** A plain class rather than a record. */
    static final class PlainRefund {
        public long amountCents;
        public @Nullable String reason;
    }

    record Positive(int amount) {
        Positive {
            if (amount <= 0) {
                throw new IllegalArgumentException("amount must be positive");
            }
        }
    }

    @Nested
    class Binding {

        @Test
        void bindsSnakeCaseJsonToARecord() {
            Refund refund = JsonArguments.bind(
                    "{\"invoice_id\":\"INV-8821\",\"amount\":12.5,\"priority\":\"HIGH\",\"reason\":\"duplicate\"}", Refund.class);

            assertThat(refund).isEqualTo(new Refund("INV-8821", 12.5, Priority.HIGH, "duplicate"));
        }

        @Test
        void bindsNestedRecordsListsOptionalsAndDates() {
            Order order = JsonArguments.bind("""
                    {"customer": {"name": "Ada", "email": "ada@example.com"},
                     "lines": [{"sku": "A-1", "quantity": 2}, {"sku": "B-2", "quantity": 1}],
                     "coupon": "WELCOME",
                     "deliver_by": "2024-01-31"}
                    """, Order.class);

            assertThat(order).isEqualTo(new Order(new Customer("Ada", "ada@example.com"),
                    List.of(new Line("A-1", 2), new Line("B-2", 1)), Optional.of("WELCOME"), LocalDate.of(2024, 1, 31)));
        }

        @Test
        void nullableAndOptionalValuesMayBeNull() {
            Order order = JsonArguments.bind(
                    "{\"customer\":{\"name\":\"Ada\",\"email\":\"a@b.c\"},\"lines\":[],\"coupon\":null,\"deliver_by\":null}",
                    Order.class);

            assertThat(order.coupon()).isEmpty();
            assertThat(order.deliverBy()).isNull();
        }

        @Test
        void nullableAndOptionalValuesMayBeLeftOut() {
            Order order = JsonArguments.bind("{\"customer\":{\"name\":\"Ada\",\"email\":\"a@b.c\"},\"lines\":[]}", Order.class);

            assertThat(order.coupon()).isEmpty();
            assertThat(order.deliverBy()).isNull();
        }

        @Test
        void aWholeNumberWrittenWithAFractionIsAnInteger() {
            assertThat(JsonArguments.bind("{\"amount\": 3.0}", Positive.class).amount()).isEqualTo(3);
        }

        @Test
        void emptyArgumentsBindToATypeWithoutProperties() {
            assertThat(JsonArguments.bind("", Ping.class)).isEqualTo(new Ping());
            assertThat(JsonArguments.bind("  ", Ping.class)).isEqualTo(new Ping());
            assertThat(JsonArguments.bind("{}", Ping.class)).isEqualTo(new Ping());
        }

        @Test
        void bindsRecursiveRecords() {
            record Category(String name, @Nullable Category parent) {}

            Category category = JsonArguments.bind(
                    "{\"name\":\"Shoes\",\"parent\":{\"name\":\"Clothing\",\"parent\":null}}", Category.class);

            assertThat(category).isEqualTo(new Category("Shoes", new Category("Clothing", null)));
        }

        @Test
        void bindsPlainClassesWithPublicFields() {
            PlainRefund refund = JsonArguments.bind("{\"amount_cents\":1250}", PlainRefund.class);

            assertThat(refund.amountCents).isEqualTo(1250);
            assertThat(refund.reason).isNull();
        }

        @Test
        void explicitJsonPropertyNamesAreBound() {
            record Renamed(@JsonProperty("InvoiceRef") String invoiceId) {}

            assertThat(JsonArguments.bind("{\"InvoiceRef\":\"INV-1\"}", Renamed.class).invoiceId()).isEqualTo("INV-1");
        }
    }

    @Nested
    class MalformedJson {

        @Test
        void isReportedWithWhereItBroke() {
            assertInvalid("{\"invoice_id\": \"INV-1\",", Refund.class)
                    .hasMessageStartingWith("arguments are not valid JSON: ")
                    .hasMessageContaining("end-of-input")
                    .hasMessageContaining("line 1 column");
        }

        @Test
        void textAfterTheObjectIsRejected() {
            assertInvalid("{\"amount\":1}{\"amount\":2}", Positive.class)
                    .hasMessageStartingWith("arguments are not valid JSON: unexpected text after the end of the object");
        }

        @Test
        void aValueOtherThanAnObjectIsRejected() {
            assertInvalid("[\"INV-1\"]", Refund.class).hasMessage("arguments must be a JSON object, not an array");
            assertInvalid("\"INV-1\"", Refund.class).hasMessage("arguments must be a JSON object, not a string");
            assertInvalid("null", Refund.class).hasMessage("arguments must be a JSON object, not null");
        }

        @Test
        void emptyArgumentsAreRejectedWhenPropertiesAreRequired() {
            assertInvalid("", Refund.class).hasMessageStartingWith("arguments are empty");
            assertInvalid("   ", Refund.class).hasMessageStartingWith("arguments are empty");
        }
    }

    @Nested
    class WrongShape {

        @Test
        void aMissingPropertyIsNamed() {
            assertInvalid("{\"amount\":1,\"priority\":\"LOW\",\"reason\":null}", Refund.class)
                    .hasMessage("missing required property 'invoice_id'");
        }

        @Test
        void allMissingPropertiesAreNamedAtOnce() {
            assertInvalid("{\"reason\":null}", Refund.class)
                    .hasMessage("missing required properties 'invoice_id', 'amount', 'priority'");
        }

        @Test
        void anUnknownPropertyIsNamedWithTheExpectedOnes() {
            assertInvalid("{\"invoice_id\":\"INV-1\",\"amount\":1,\"priority\":\"LOW\",\"foo\":1}", Refund.class)
                    .hasMessage("unknown property 'foo' (expected: invoice_id, amount, priority, reason)");
        }

        @Test
        void camelCaseNamesAreUnknown() {
            assertInvalid("{\"invoiceId\":\"INV-1\",\"amount\":1,\"priority\":\"LOW\"}", Refund.class)
                    .hasMessage("unknown property 'invoiceId' (expected: invoice_id, amount, priority, reason)");
        }

        @Test
        void aWrongTypeSaysWhatWasExpected() {
            assertInvalid("{\"invoice_id\":\"INV-1\",\"amount\":\"twelve\",\"priority\":\"LOW\"}", Refund.class)
                    .hasMessage("property 'amount' must be a number");
            assertInvalid("{\"invoice_id\":42,\"amount\":1,\"priority\":\"LOW\"}", Refund.class)
                    .hasMessage("property 'invoice_id' must be a string");
            assertInvalid("{\"amount\":2.5}", Positive.class).hasMessage("property 'amount' must be an integer");
            assertInvalid("{\"amount\":3000000000}", Positive.class)
                    .hasMessage("property 'amount' must be an integer from -2147483648 to 2147483647");
        }

        @Test
        void anEnumValueOutsideTheConstantsListsThem() {
            assertInvalid("{\"invoice_id\":\"INV-1\",\"amount\":1,\"priority\":\"URGENT\"}", Refund.class)
                    .hasMessage("property 'priority' must be one of [LOW, MEDIUM, HIGH]");
            assertInvalid("{\"invoice_id\":\"INV-1\",\"amount\":1,\"priority\":\"high\"}", Refund.class)
                    .hasMessage("property 'priority' must be one of [LOW, MEDIUM, HIGH]");
        }

        @Test
        void nullIsRejectedWhereAValueIsRequired() {
            assertInvalid("{\"invoice_id\":null,\"amount\":1,\"priority\":\"LOW\"}", Refund.class)
                    .hasMessage("property 'invoice_id' must not be null");
            assertInvalid("{\"amount\":null}", Positive.class).hasMessage("property 'amount' must not be null");
        }

        @Test
        void nestedMistakesAreReportedWithTheirPath() {
            assertInvalid("{\"customer\":{\"name\":\"Ada\",\"email\":null},\"lines\":[]}", Order.class)
                    .hasMessage("property 'customer.email' must not be null");
            assertInvalid("{\"customer\":{\"name\":\"Ada\"},\"lines\":[]}", Order.class)
                    .hasMessage("missing required property 'customer.email'");
            assertInvalid("{\"customer\":{\"name\":\"Ada\",\"email\":\"a@b.c\"},\"lines\":[{\"sku\":\"A\",\"quantity\":1},"
                    + "{\"sku\":\"B\",\"quantity\":\"two\"}]}", Order.class)
                    .hasMessage("property 'lines[1].quantity' must be an integer");
            assertInvalid("{\"customer\":{\"name\":\"Ada\",\"email\":\"a@b.c\"},\"lines\":[null]}", Order.class)
                    .hasMessage("property 'lines[0]' must not be null");
            assertInvalid("{\"customer\":\"Ada\",\"lines\":[]}", Order.class)
                    .hasMessage("property 'customer' must be an object");
            assertInvalid("{\"customer\":{\"name\":\"Ada\",\"email\":\"a@b.c\"},\"lines\":{}}", Order.class)
                    .hasMessage("property 'lines' must be an array");
        }

        @Test
        void aMalformedDateShowsTheExpectedForm() {
            assertInvalid("{\"customer\":{\"name\":\"Ada\",\"email\":\"a@b.c\"},\"lines\":[],\"deliver_by\":\"31/01/2024\"}",
                    Order.class)
                    .hasMessage("property 'deliver_by' must be a date such as 2024-01-31");
        }

        @Test
        void aRecordRejectingItsValuesExplainsWhy() {
            assertInvalid("{\"amount\":-5}", Positive.class).hasMessage("arguments are invalid: amount must be positive");
        }

        @Test
        void aNestedRecordRejectingItsValuesIsNamedByPath() {
            record Batch(List<Positive> items) {}

            assertInvalid("{\"items\":[{\"amount\":1},{\"amount\":0}]}", Batch.class)
                    .hasMessage("property 'items[1]' is invalid: amount must be positive");
        }

        @Test
        void theExceptionKeepsTheRawArguments() {
            String json = "{\"amount\":null}";

            assertThatThrownBy(() -> JsonArguments.bind(json, Positive.class))
                    .isInstanceOfSatisfying(InvalidArgumentsException.class,
                            e -> assertThat(e.rawArguments()).isEqualTo(json));
        }

        @Test
        void messagesNeverMentionJavaTypes() {
            List<String> attempts = List.of("{", "[]", "{\"foo\":1}", "{\"amount\":\"x\"}", "{\"amount\":null}", "{\"amount\":-1}",
                    "{\"amount\":1} x");
            for (String json : attempts) {
                assertThatThrownBy(() -> JsonArguments.bind(json, Positive.class))
                        .isInstanceOf(InvalidArgumentsException.class)
                        .message()
                        .doesNotContain("java.", "dev.baton", "Positive", "Exception", "`", "\n");
            }
        }
    }

    @Nested
    class Parameters {

        @SuppressWarnings("unused")
        static final class Tools {
            public String refund(String invoiceId, ToolContext<?> context, Priority priority, @Nullable String note,
                    Optional<Integer> ticket) {
                return "";
            }

            public String nothing(ToolContext<?> context) {
                return "";
            }
        }

        private final ToolContext<String> context =
                new ToolContext<>(RunContext.of("ctx"), "agent", "refund", "call_1", "{}");

        @Test
        void bindsEachParameterInOrderAndPassesTheContext() {
            Object[] values = JsonArguments.bindParameters(
                    "{\"invoice_id\":\"INV-1\",\"priority\":\"LOW\",\"note\":\"late\",\"ticket\":7}", method("refund"), context);

            assertThat(values).containsExactly("INV-1", context, Priority.LOW, "late", Optional.of(7));
        }

        @Test
        void nullableParametersMayBeLeftOut() {
            Object[] values = JsonArguments.bindParameters("{\"invoice_id\":\"INV-1\",\"priority\":\"LOW\"}", method("refund"),
                    context);

            assertThat(values).containsExactly("INV-1", context, Priority.LOW, null, Optional.empty());
        }

        @Test
        void mistakesAreReportedByParameterName() {
            assertThatThrownBy(() -> JsonArguments.bindParameters("{\"priority\":\"LOW\"}", method("refund"), context))
                    .isInstanceOf(InvalidArgumentsException.class)
                    .hasMessage("missing required property 'invoice_id'");
            assertThatThrownBy(() -> JsonArguments.bindParameters("{\"invoice_id\":\"INV-1\",\"priority\":\"SOON\"}",
                    method("refund"), context))
                    .isInstanceOf(InvalidArgumentsException.class)
                    .hasMessage("property 'priority' must be one of [LOW, MEDIUM, HIGH]");
            assertThatThrownBy(() -> JsonArguments.bindParameters("{\"invoice_id\":\"INV-1\",\"priority\":\"LOW\",\"x\":1}",
                    method("refund"), context))
                    .isInstanceOf(InvalidArgumentsException.class)
                    .hasMessage("unknown property 'x' (expected: invoice_id, priority, note, ticket)");
        }

        @Test
        void aMethodTakingOnlyTheContextAcceptsEmptyArguments() {
            assertThat(JsonArguments.bindParameters("", method("nothing"), context)).containsExactly(context);
            assertThat(JsonArguments.bindParameters("{}", method("nothing"), context)).containsExactly(context);
        }

        private static Method method(String name) {
            return Arrays.stream(Tools.class.getDeclaredMethods())
                    .filter(m -> m.getName().equals(name))
                    .findFirst()
                    .orElseThrow();
        }
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(String json, Class<?> type) {
        return assertThatThrownBy(() -> JsonArguments.bind(json, type)).isInstanceOf(InvalidArgumentsException.class);
    }
}
