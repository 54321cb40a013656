package dev.baton.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.UserError;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class JsonSchemasTest {

    enum Priority { LOW, MEDIUM, HIGH }

    @Description("Where an invoice is sent")
    record Address(@Description("Street and number") String street, @Nullable String postalCode) {}

    record Line(String sku, int quantity, BigDecimal unitPrice) {}

    @Description("Arguments of get_invoice")
    record InvoiceQuery(
            @Description("Invoice id, e.g. INV-8821") String invoiceId,
            int limit,
            @Nullable Integer page,
            Optional<String> note,
            Priority priority,
            Address address,
            List<Line> lines) {}

    @Nested
    class StrictShape {

        @Test
        void anObjectWithEveryPropertyRequiredAndNoOthersAllowed() {
            ObjectNode schema = JsonSchemas.objectSchema(InvoiceQuery.class);

            assertThat(schema.get("type").asText()).isEqualTo("object");
            assertThat(schema.get("additionalProperties").asBoolean(true)).isFalse();
            assertThat(names(schema.get("properties")))
                    .containsExactly("invoice_id", "limit", "page", "note", "priority", "address", "lines");
            assertThat(texts(schema.get("required")))
                    .containsExactly("invoice_id", "limit", "page", "note", "priority", "address", "lines");
            assertThat(schema.has("$schema")).isFalse();
        }

        @Test
        void scalarsMapToJsonTypes() {
            JsonNode properties = JsonSchemas.objectSchema(InvoiceQuery.class).get("properties");

            assertThat(properties.at("/invoice_id/type").asText()).isEqualTo("string");
            assertThat(properties.at("/limit/type").asText()).isEqualTo("integer");
            assertThat(properties.at("/lines/items/properties/unit_price/type").asText()).isEqualTo("number");
        }

        @Test
        void nullableAndOptionalPropertiesAreRequiredButAcceptNull() {
            JsonNode properties = JsonSchemas.objectSchema(InvoiceQuery.class).get("properties");

            assertThat(texts(properties.at("/page/type"))).containsExactly("integer", "null");
            assertThat(texts(properties.at("/note/type"))).containsExactly("string", "null");
            assertThat(properties.at("/invoice_id/type").isTextual()).isTrue();
        }

        @Test
        void primitivesAreNeverNullable() {
            record Counter(@Nullable int count) {}

            JsonNode count = JsonSchemas.objectSchema(Counter.class).at("/properties/count");

            assertThat(count.get("type").asText()).isEqualTo("integer");
        }

        @Test
        void enumsListTheirConstants() {
            JsonNode priority = JsonSchemas.objectSchema(InvoiceQuery.class).at("/properties/priority");

            assertThat(priority.get("type").asText()).isEqualTo("string");
            assertThat(texts(priority.get("enum"))).containsExactly("LOW", "MEDIUM", "HIGH");
        }

        @Test
        void nestedRecordsAreStrictObjectsToo() {
            JsonNode address = JsonSchemas.objectSchema(InvoiceQuery.class).at("/properties/address");

            assertThat(address.get("type").asText()).isEqualTo("object");
            assertThat(address.get("additionalProperties").asBoolean(true)).isFalse();
            assertThat(texts(address.get("required"))).containsExactly("street", "postal_code");
            assertThat(texts(address.at("/properties/postal_code/type"))).containsExactly("string", "null");
        }

        @Test
        void listsAndSetsAndArraysAreArraysOfTheirElements() {
            record Bag(List<Line> lines, Set<String> tags, int[] counts) {}

            JsonNode properties = JsonSchemas.objectSchema(Bag.class).get("properties");

            assertThat(properties.at("/lines/type").asText()).isEqualTo("array");
            assertThat(properties.at("/lines/items/type").asText()).isEqualTo("object");
            assertThat(properties.at("/lines/items/additionalProperties").asBoolean(true)).isFalse();
            assertThat(texts(properties.at("/lines/items/required"))).containsExactly("sku", "quantity", "unit_price");
            assertThat(properties.at("/tags/items/type").asText()).isEqualTo("string");
            assertThat(properties.at("/counts/items/type").asText()).isEqualTo("integer");
        }

        @Test
        void aRecordWithoutComponentsHasNoProperties() {
            record Ping() {}

            ObjectNode schema = JsonSchemas.objectSchema(Ping.class);

            assertThat(schema.get("properties").isEmpty()).isTrue();
            assertThat(schema.get("required").isEmpty()).isTrue();
            assertThat(schema.get("additionalProperties").asBoolean(true)).isFalse();
        }

        @Test
        void stringLikeValuesAreStringsWithAFormatWhereStrictModeKnowsOne() {
            record When(LocalDate day, Instant at, UUID id, char initial) {}

            JsonNode properties = JsonSchemas.objectSchema(When.class).get("properties");

            assertThat(properties.at("/day/type").asText()).isEqualTo("string");
            assertThat(properties.at("/day/format").asText()).isEqualTo("date");
            assertThat(properties.at("/at/format").asText()).isEqualTo("date-time");
            assertThat(properties.at("/id/format").asText()).isEqualTo("uuid");
            assertThat(properties.at("/initial/type").asText()).isEqualTo("string");
        }
    }

    @Nested
    class Descriptions {

        @Test
        void comeFromDescriptionOnComponents() {
            JsonNode properties = JsonSchemas.objectSchema(InvoiceQuery.class).get("properties");

            assertThat(properties.at("/invoice_id/description").asText()).isEqualTo("Invoice id, e.g. INV-8821");
            assertThat(properties.at("/address/properties/street/description").asText()).isEqualTo("Street and number");
        }

        @Test
        void comeFromDescriptionOnTypes() {
            assertThat(JsonSchemas.objectSchema(InvoiceQuery.class).get("description").asText())
                    .isEqualTo("Arguments of get_invoice");
            assertThat(JsonSchemas.objectSchema(InvoiceQuery.class).at("/properties/address/description").asText())
                    .isEqualTo("Where an invoice is sent");
        }

        @Test
        void areAbsentWhenNotGiven() {
            assertThat(JsonSchemas.objectSchema(InvoiceQuery.class).at("/properties/limit").has("description")).isFalse();
        }

        @Test
        void alsoComeFromFieldsOfPlainClasses() {
            assertThat(JsonSchemas.objectSchema(Refund.class).at("/properties/amount_cents/description").asText())
                    .isEqualTo("Amount in cents");
        }
    }

    /** A plain class rather than a record. */
    static final class Refund {
        @Description("Amount in cents")
        public long amountCents;
        public @Nullable String reason;
    }

    @Nested
    class Names {

        @Test
        void areSnakeCaseByDefault() {
            record Ids(String invoiceId, String customerID, String already_snake) {}

            assertThat(names(JsonSchemas.objectSchema(Ids.class).get("properties")))
                    .containsExactly("invoice_id", "customer_id", "already_snake");
        }

        @Test
        void jsonPropertyNamesAPropertyExplicitly() {
            record Renamed(@JsonProperty("InvoiceRef") String invoiceId) {}

            ObjectNode schema = JsonSchemas.objectSchema(Renamed.class);

            assertThat(names(schema.get("properties"))).containsExactly("InvoiceRef");
            assertThat(texts(schema.get("required"))).containsExactly("InvoiceRef");
        }

        @Test
        void toSnakeCaseSplitsWordsAndAcronyms() {
            assertThat(JsonSchemas.toSnakeCase("invoiceId")).isEqualTo("invoice_id");
            assertThat(JsonSchemas.toSnakeCase("customerID")).isEqualTo("customer_id");
            assertThat(JsonSchemas.toSnakeCase("HTTPStatus")).isEqualTo("http_status");
            assertThat(JsonSchemas.toSnakeCase("getURLForId")).isEqualTo("get_url_for_id");
            assertThat(JsonSchemas.toSnakeCase("line2Total")).isEqualTo("line2_total");
            assertThat(JsonSchemas.toSnakeCase("BillingAgent")).isEqualTo("billing_agent");
            assertThat(JsonSchemas.toSnakeCase("Billing_Agent")).isEqualTo("billing_agent");
            assertThat(JsonSchemas.toSnakeCase("already_snake")).isEqualTo("already_snake");
            assertThat(JsonSchemas.toSnakeCase("x")).isEqualTo("x");
            assertThat(JsonSchemas.toSnakeCase("")).isEmpty();
        }
    }

    @Nested
    class Enums {

        enum Tier {
            @JsonProperty("gold") GOLD,
            @JsonProperty("silver") SILVER
        }

        enum Channel {
            EMAIL("e-mail"), PHONE("phone");

            private final String wire;

            Channel(String wire) {
                this.wire = wire;
            }

            @JsonValue
            String wire() {
                return wire;
            }
        }

        @Test
        void useJsonPropertyAndJsonValueNames() {
            record Contact(Tier tier, Channel channel) {}

            JsonNode properties = JsonSchemas.objectSchema(Contact.class).get("properties");

            assertThat(texts(properties.at("/tier/enum"))).containsExactly("gold", "silver");
            assertThat(texts(properties.at("/channel/enum"))).containsExactly("e-mail", "phone");
        }

        @Test
        void nullableEnumsAcceptNull() {
            record Contact(@Nullable Tier tier) {}

            JsonNode tier = JsonSchemas.objectSchema(Contact.class).at("/properties/tier");

            assertThat(tier.get("anyOf")).anySatisfy(branch -> assertThat(branch.path("type").asText()).isEqualTo("null"));
            assertThat(tier.get("anyOf")).anySatisfy(branch -> assertThat(texts(branch.path("enum"))).containsExactly("gold", "silver"));
        }
    }

    @Nested
    class Definitions {

        record TreeNode(String label, @Nullable TreeNode parent, List<TreeNode> children) {}

        record Shipment(Address from, Address to, @Nullable Address returnTo) {}

        @Test
        void recursiveTypesReferToThemselves() {
            ObjectNode schema = JsonSchemas.objectSchema(TreeNode.class);

            assertThat(schema.at("/properties/children/items/$ref").asText()).isEqualTo("#");
            assertThat(schema.at("/properties/parent/anyOf").toString()).contains("\"$ref\":\"#\"");
        }

        @Test
        void sharedDefinitionsAreStrictToo() {
            ObjectNode schema = JsonSchemas.objectSchema(Shipment.class);

            assertThat(schema.at("/properties/from/$ref").asText()).startsWith("#/$defs/");
            assertEveryObjectIsStrict(schema);
        }

        @Test
        void everyObjectEverywhereIsStrict() {
            assertEveryObjectIsStrict(JsonSchemas.objectSchema(InvoiceQuery.class));
            assertEveryObjectIsStrict(JsonSchemas.objectSchema(TreeNode.class));
        }
    }

    @Nested
    class Rejections {

        @Test
        void mapsAreFreeFormAndForbiddenInStrictMode() {
            record Scores(String player, Map<String, Integer> byRound) {}

            assertThatThrownBy(() -> JsonSchemas.objectSchema(Scores.class))
                    .isInstanceOf(UserError.class)
                    .hasMessageContaining("Scores")
                    .hasMessageContaining("'by_round'")
                    .hasMessageContaining("Map");
        }

        @Test
        void mapsNestedInListsAreFoundToo() {
            record Rows(List<Map<String, String>> rows) {}

            assertThatThrownBy(() -> JsonSchemas.objectSchema(Rows.class))
                    .isInstanceOf(UserError.class)
                    .hasMessageContaining("'rows'");
        }

        @Test
        void freeFormObjectsAreRejected() {
            record Anything(Object value) {}

            assertThatThrownBy(() -> JsonSchemas.objectSchema(Anything.class))
                    .isInstanceOf(UserError.class)
                    .hasMessageContaining("'value'");
        }

        @Test
        void nonObjectTypesCannotBeTheRoot() {
            for (Class<?> type : List.of(String.class, int.class, List.class, Priority.class, Map.class)) {
                assertThatThrownBy(() -> JsonSchemas.objectSchema(type))
                        .isInstanceOf(UserError.class)
                        .hasMessageContaining("must be a record or class with properties");
            }
        }
    }

    @Nested
    class Caching {

        @Test
        void returnsEqualButSeparateCopies() {
            ObjectNode first = JsonSchemas.objectSchema(InvoiceQuery.class);
            ObjectNode second = JsonSchemas.objectSchema(InvoiceQuery.class);

            assertThat(first).isEqualTo(second).isNotSameAs(second);
        }

        @Test
        void changingAReturnedSchemaDoesNotChangeTheNext() {
            ObjectNode first = JsonSchemas.objectSchema(InvoiceQuery.class);
            first.put("additionalProperties", true);
            ((ObjectNode) first.get("properties")).remove("invoice_id");
            ((ObjectNode) first.at("/properties/address")).put("type", "string");

            ObjectNode next = JsonSchemas.objectSchema(InvoiceQuery.class);

            assertThat(next.get("additionalProperties").asBoolean(true)).isFalse();
            assertThat(next.get("properties").has("invoice_id")).isTrue();
            assertThat(next.at("/properties/address/type").asText()).isEqualTo("object");
        }
    }

    static void assertEveryObjectIsStrict(JsonNode node) {
        if (node.isObject()) {
            JsonNode type = node.get("type");
            boolean isObject = type != null && (type.asText().equals("object") || texts(type).contains("object"));
            if (isObject) {
                assertThat(node.get("additionalProperties")).as("additionalProperties of %s", node).isNotNull();
                assertThat(node.get("additionalProperties").asBoolean(true)).as("additionalProperties of %s", node).isFalse();
                assertThat(texts(node.get("required"))).as("required of %s", node)
                        .containsExactlyElementsOf(names(node.get("properties")));
            }
        }
        node.elements().forEachRemaining(JsonSchemasTest::assertEveryObjectIsStrict);
    }

    static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.elements().forEachRemaining(e -> texts.add(e.asText()));
        return texts;
    }
}
