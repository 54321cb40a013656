package dev.baton.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MapperTest {

    record Invoice(String invoiceId, String customerID, Optional<String> note, LocalDate due, Instant created, Duration term) {}

    record Point(int x, int y) {}

    private final ObjectMapper mapper = JsonSchemas.mapper();

    @Test
    void isOneSharedInstance() {
        assertThat(JsonSchemas.mapper()).isSameAs(JsonSchemas.mapper());
    }

    @Test
    void writesToolResultsWithTheSchemaNames() throws JsonProcessingException {
        Invoice invoice = new Invoice("INV-1", "C-9", Optional.of("late"), LocalDate.of(2024, 1, 31),
                Instant.parse("2024-01-01T10:00:00Z"), Duration.ofDays(30));

        assertThat(mapper.writeValueAsString(invoice)).isEqualTo("{\"invoice_id\":\"INV-1\",\"customer_id\":\"C-9\","
                + "\"note\":\"late\",\"due\":\"2024-01-31\",\"created\":\"2024-01-01T10:00:00Z\",\"term\":\"PT720H\"}");
    }

    @Test
    void writesAnEmptyOptionalAsNull() throws JsonProcessingException {
        Invoice invoice = new Invoice("INV-1", "C-9", Optional.empty(), LocalDate.of(2024, 1, 31),
                Instant.parse("2024-01-01T10:00:00Z"), Duration.ofDays(30));

        assertThat(mapper.readTree(mapper.writeValueAsString(invoice)).get("note").isNull()).isTrue();
    }

    @Test
    void readsWhatItWrites() throws JsonProcessingException {
        Invoice invoice = new Invoice("INV-1", "C-9", Optional.of("late"), LocalDate.of(2024, 1, 31),
                Instant.parse("2024-01-01T10:00:00Z"), Duration.ofMinutes(15));

        assertThat(mapper.readValue(mapper.writeValueAsString(invoice), Invoice.class)).isEqualTo(invoice);
    }

    @Test
    void rejectsUnknownPropertiesNullPrimitivesAndMissingCreatorProperties() {
        assertThatThrownBy(() -> mapper.readValue("{\"x\":1,\"y\":2,\"z\":3}", Point.class))
                .isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> mapper.readValue("{\"x\":1,\"y\":null}", Point.class))
                .isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> mapper.readValue("{\"x\":1}", Point.class))
                .isInstanceOf(JsonProcessingException.class);
    }
}
