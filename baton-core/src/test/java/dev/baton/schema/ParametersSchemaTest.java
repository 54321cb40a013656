package dev.baton.schema;

import static dev.baton.schema.JsonSchemasTest.assertEveryObjectIsStrict;
import static dev.baton.schema.JsonSchemasTest.names;
import static dev.baton.schema.JsonSchemasTest.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.UserError;
import dev.baton.tool.ToolContext;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ParametersSchemaTest {

    enum Reason { DUPLICATE, FRAUD, OTHER }

    record Customer(String name, @Nullable String email) {}

    @SuppressWarnings("unused")
    static final class Billing {
        public String refund(
                @Description("Invoice to refund") String invoiceId,
                long amountCents,
                Reason reason,
                @Nullable String note,
                Optional<Integer> ticket,
                Customer customer,
                List<Customer> cc,
                ToolContext<?> context) {
            return "";
        }

        public String renamed(@JsonProperty("ref") String invoiceId) {
            return "";
        }

        public String noArguments(ToolContext<?> context) {
            return "";
        }

        public String sameTypeTwice(Customer from, Customer to) {
            return "";
        }

        public String freeForm(Map<String, String> labels) {
            return "";
        }
    }

    @Test
    void eachParameterIsARequiredPropertyExceptTheToolContext() {
        ObjectNode schema = JsonSchemas.parametersSchema(method("refund"));

        assertThat(schema.get("type").asText()).isEqualTo("object");
        assertThat(schema.get("additionalProperties").asBoolean(true)).isFalse();
        assertThat(names(schema.get("properties")))
                .containsExactly("invoice_id", "amount_cents", "reason", "note", "ticket", "customer", "cc");
        assertThat(texts(schema.get("required")))
                .containsExactly("invoice_id", "amount_cents", "reason", "note", "ticket", "customer", "cc");
    }

    @Test
    void parametersAreDescribedTypedAndNullableLikeComponents() {
        JsonNode properties = JsonSchemas.parametersSchema(method("refund")).get("properties");

        assertThat(properties.at("/invoice_id/description").asText()).isEqualTo("Invoice to refund");
        assertThat(properties.at("/amount_cents/type").asText()).isEqualTo("integer");
        assertThat(texts(properties.at("/reason/enum"))).containsExactly("DUPLICATE", "FRAUD", "OTHER");
        assertThat(texts(properties.at("/note/type"))).containsExactly("string", "null");
        assertThat(texts(properties.at("/ticket/type"))).containsExactly("integer", "null");
    }

    @Test
    void recordParametersBecomeStrictNestedObjects() {
        ObjectNode schema = JsonSchemas.parametersSchema(method("refund"));

        JsonNode customer = resolve(schema, schema.at("/properties/customer"));
        assertThat(customer.get("type").asText()).isEqualTo("object");
        assertThat(texts(customer.get("required"))).containsExactly("name", "email");
        assertThat(texts(customer.at("/properties/email/type"))).containsExactly("string", "null");
        assertThat(schema.at("/properties/cc/type").asText()).isEqualTo("array");
        assertEveryObjectIsStrict(schema);
    }

    /** Follows a local {@code $ref}, as a model provider would. */
    static JsonNode resolve(JsonNode root, JsonNode schema) {
        JsonNode ref = schema.get("$ref");
        return ref == null ? schema : root.at(ref.asText().substring(1));
    }

    @Test
    void aRecordTypeUsedTwiceIsSharedThroughDefinitions() {
        ObjectNode schema = JsonSchemas.parametersSchema(method("sameTypeTwice"));

        assertThat(schema.at("/properties/from/$ref").asText()).isEqualTo(schema.at("/properties/to/$ref").asText());
        String definition = schema.at("/properties/from/$ref").asText().substring("#/".length());
        assertThat(schema.at("/" + definition + "/type").asText()).isEqualTo("object");
        assertEveryObjectIsStrict(schema);
    }

    @Test
    void jsonPropertyRenamesAParameter() {
        assertThat(names(JsonSchemas.parametersSchema(method("renamed")).get("properties"))).containsExactly("ref");
    }

    @Test
    void aMethodTakingOnlyTheContextHasNoProperties() {
        ObjectNode schema = JsonSchemas.parametersSchema(method("noArguments"));

        assertThat(schema.get("properties").isEmpty()).isTrue();
        assertThat(schema.get("required").isEmpty()).isTrue();
    }

    @Test
    void freeFormParametersAreRejected() {
        assertThatThrownBy(() -> JsonSchemas.parametersSchema(method("freeForm")))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("'labels'")
                .hasMessageContaining("freeForm");
    }

    @Test
    void isCachedButReturnedAsACopy() {
        ObjectNode first = JsonSchemas.parametersSchema(method("refund"));
        first.remove("properties");

        assertThat(JsonSchemas.parametersSchema(method("refund")).has("properties")).isTrue();
    }

    static Method method(String name) {
        return Arrays.stream(Billing.class.getDeclaredMethods())
                .filter(m -> m.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
