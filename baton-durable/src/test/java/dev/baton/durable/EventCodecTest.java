package dev.baton.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.MaxTurnsExceeded;
import dev.baton.guardrail.GuardrailResult;
import dev.baton.item.HistorySummary;
import dev.baton.item.Item;
import dev.baton.item.Message;
import dev.baton.item.Reasoning;
import dev.baton.item.RunItem;
import dev.baton.item.ToolCall;
import dev.baton.item.ToolOutput;
import dev.baton.model.ModelResponse;
import dev.baton.model.Usage;
import dev.baton.run.ApprovalRequest;
import dev.baton.run.RunEvent;
import dev.baton.run.RunFailure;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Stored run events read back as typed events")
class EventCodecTest {
    private static final Instant AT = Instant.parse("2025-03-04T05:06:07.123456789Z");
    private static final IllegalStateException ERROR = new IllegalStateException("the refund service is down");

    private static final List<Item> ITEMS = List.of(
            Message.user("I was charged twice for INV-8821"),
            new Message(Message.Role.ASSISTANT, "Let me check.", "msg_1", null, null),
            Message.assistantRefusal("I cannot help with that."),
            new Message(Message.Role.USER, "Earlier: a refund", null, null, new HistorySummary(List.of("user: refund", "billing: done"))),
            new ToolCall("call_1", "get_invoice", "{\"invoice_id\":\"INV-8821\"}", "fc_1"),
            new ToolOutput("call_1", "{\"amount\":450}"),
            new Reasoning("rs_1", "The customer was charged twice.", "enc"));

    /** Every concrete event type, found through the sealed hierarchy, so a new one is tested as soon as it exists. */
    static List<Class<?>> eventTypes() {
        List<Class<?>> out = new ArrayList<>();
        collect(RunEvent.class, out);
        return out;
    }

    private static void collect(Class<?> type, List<Class<?>> out) {
        if (type.isSealed()) {
            for (Class<?> sub : type.getPermittedSubclasses()) {
                collect(sub, out);
            }
        } else {
            out.add(type);
        }
    }

    static Stream<Class<?>> flatEventTypes() {
        return eventTypes().stream().filter(t -> t != RunEvent.Nested.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventTypes")
    @DisplayName("every event type comes back equal to the event the run emitted")
    void every_event_type_round_trips(Class<?> type) {
        RunEvent event = sample(type);

        RecordedEvent recorded = EventCodec.record(event);

        assertThat(recorded.type()).isEqualTo(type.getSimpleName());
        assertThat(recorded.toEvent()).isEqualTo(asStored(event));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flatEventTypes")
    @DisplayName("every event type comes back inside a Nested event, with the call and the path of agents")
    void every_event_type_round_trips_nested(Class<?> type) {
        RunEvent.Nested nested = new RunEvent.Nested("call_7", "research", List.of("support_triage", "researcher"), sample(type));

        RunEvent back = EventCodec.record(nested).toEvent();

        assertThat(back).isEqualTo(asStored(nested));
        assertThat(back.runId()).isEqualTo(nested.event().runId());
        assertThat(back.seq()).isEqualTo(nested.event().seq());
    }

    @Test
    @DisplayName("a failure is stored as its type and message and comes back as a RunFailure, without the exception")
    void a_failure_comes_back_as_type_and_message() {
        RunEvent.RunFailed live = new RunEvent.RunFailed("run_1", 9, "billing", AT, new MaxTurnsExceeded(10));

        RecordedEvent recorded = EventCodec.record(live);

        assertThat(recorded.data()).doesNotContain("stackTrace").doesNotContain("MaxTurnsExceeded.java");
        assertThat(recorded.toEvent()).isInstanceOfSatisfying(RunEvent.RunFailed.class, back -> {
            assertThat(back.error()).isNull();
            assertThat(back.failure()).isEqualTo(new RunFailure("dev.baton.MaxTurnsExceeded", live.error().getMessage()));
            assertThat(back.failure().simpleType()).isEqualTo("MaxTurnsExceeded");
            assertThat(back.failure().summary()).isEqualTo("MaxTurnsExceeded: " + live.error().getMessage());
        });
    }

    @Test
    @DisplayName("a failure whose exception had no message comes back with none")
    void a_failure_without_a_message() {
        RunEvent.RunFailed live = new RunEvent.RunFailed("run_1", 2, "billing", AT, new IllegalStateException());

        RunEvent.RunFailed back = (RunEvent.RunFailed) EventCodec.record(live).toEvent();

        assertThat(back.failure().message()).isNull();
        assertThat(back.failure().summary()).isEqualTo("IllegalStateException");
    }

    @Test
    @DisplayName("a structured final output or guardrail info comes back as plain JSON values")
    void structured_values_come_back_as_json_values() {
        record Refund(String invoiceId, int amount, boolean approved) {}
        RunEvent completed = new RunEvent.RunCompleted("run_1", 5, "billing", AT, new Refund("INV-8821", 450, true));
        RunEvent checked = new RunEvent.GuardrailChecked("run_1", 1, "triage", AT,
                new GuardrailResult("priority", GuardrailResult.Kind.INPUT, "triage", null, false, List.of("P1", 2)));

        Map<String, Object> refund = new LinkedHashMap<>();
        refund.put("invoiceId", "INV-8821");
        refund.put("amount", 450);
        refund.put("approved", true);
        assertThat(EventCodec.record(completed).toEvent()).isEqualTo(new RunEvent.RunCompleted("run_1", 5, "billing", AT, refund));
        assertThat(((RunEvent.GuardrailChecked) EventCodec.record(checked).toEvent()).result().info()).isEqualTo(List.of("P1", 2));
    }

    @Test
    @DisplayName("a guardrail's info that cannot be written as JSON comes back as its text, with the rest of the result")
    void unwritable_guardrail_info_comes_back_as_text() {
        Object opaque = new Object() {
            @Override
            public String toString() {
                return "opaque verdict";
            }
        };
        GuardrailResult result = new GuardrailResult("priority", GuardrailResult.Kind.OUTPUT, "billing", null, true, opaque);

        RunEvent back = EventCodec.record(new RunEvent.GuardrailChecked("run_1", 8, "billing", AT, result)).toEvent();

        assertThat(back).isEqualTo(new RunEvent.GuardrailChecked("run_1", 8, "billing", AT,
                new GuardrailResult("priority", GuardrailResult.Kind.OUTPUT, "billing", null, true, "opaque verdict")));
    }

    @Test
    @DisplayName("the first agent's AgentUpdated comes back with no previous agent")
    void agent_updated_without_previous() {
        RunEvent first = new RunEvent.AgentUpdated("run_1", 1, "support_triage", AT, null);

        assertThat(EventCodec.record(first).toEvent()).isEqualTo(first);
    }

    @Test
    @DisplayName("an unknown event type is a clear error naming the run, the sequence number and the type")
    void an_unknown_type_is_a_clear_error() {
        RecordedEvent future = new RecordedEvent("run_1", 4, "AgentSlept", "triage", AT, "{}");

        assertThatThrownBy(future::toEvent).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Event 4 (AgentSlept) of run run_1")
                .hasMessageContaining("'AgentSlept' is not an event type");
    }

    @Test
    @DisplayName("data that does not fit its type is a clear error naming the field")
    void data_that_does_not_fit_is_a_clear_error() {
        assertThatThrownBy(() -> new RecordedEvent("run_1", 3, "ToolCalled", "triage", AT, "{}").toEvent())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Event 3 (ToolCalled) of run run_1").hasMessageContaining("no 'item'");
        assertThatThrownBy(() -> new RecordedEvent("run_1", 3, "TurnStarted", "triage", AT, "{\"turn\":\"two\"}").toEvent())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'turn' is not a whole number");
        assertThatThrownBy(() -> new RecordedEvent("run_1", 3, "RunStarted", "triage", AT, "{\"input\":[{\"type\":\"fax\"}]}").toEvent())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'input' does not fit");
        assertThatThrownBy(() -> new RecordedEvent("run_1", 3, "TurnStarted", "triage", AT, "not json").toEvent())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
    }

    /** What a reader in another process gets: the same event, with a failure's exception left behind. */
    private static RunEvent asStored(RunEvent event) {
        return switch (event) {
            case RunEvent.RunFailed f -> new RunEvent.RunFailed(f.runId(), f.seq(), f.agent(), f.at(), f.failure(), null);
            case RunEvent.Nested n -> new RunEvent.Nested(n.callId(), n.toolName(), n.path(), asStored(n.event()));
            default -> event;
        };
    }

    /** An instance of an event type built through its canonical constructor, from sample values per field type. */
    private static RunEvent sample(Class<?> type) {
        RecordComponent[] components = type.getRecordComponents();
        assertThat(components).as("%s is a record", type.getSimpleName()).isNotNull();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            args[i] = value(type, components[i].getGenericType());
        }
        try {
            Constructor<?> canonical = type.getDeclaredConstructor(types);
            return (RunEvent) canonical.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot build a sample " + type.getSimpleName(), e);
        }
    }

    private static Object value(Class<?> event, Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            Type element = p.getActualTypeArguments()[0];
            if (element == Item.class) {
                return ITEMS;
            }
            if (element == ApprovalRequest.class) {
                return List.of(approval("call_1"), approval("call_2"));
            }
            if (element == String.class) {
                return List.of("support_triage", "billing_specialist");
            }
        }
        if (type == String.class) {
            return "billing_specialist";
        }
        if (type == long.class) {
            return 12L;
        }
        if (type == int.class) {
            return 3;
        }
        if (type == Instant.class) {
            return AT;
        }
        if (type == ModelResponse.class) {
            return new ModelResponse(ITEMS, new Usage(120, 30, 150, 1, 40, 8), "resp_1");
        }
        if (type == RunItem.MessageItem.class) {
            return new RunItem.MessageItem("billing_specialist", new Message(Message.Role.ASSISTANT, "Refunded.", "msg_2", null, null));
        }
        if (type == RunItem.ReasoningItem.class) {
            return new RunItem.ReasoningItem("billing_specialist", new Reasoning("rs_2", "Check the invoice first.", null));
        }
        if (type == RunItem.ToolCallItem.class) {
            return new RunItem.ToolCallItem("billing_specialist", new ToolCall("call_3", "process_refund", "{\"amount\":450}", null));
        }
        if (type == RunItem.ToolOutputItem.class) {
            return new RunItem.ToolOutputItem("billing_specialist", new ToolOutput("call_3", "card declined"), true);
        }
        if (type == RunItem.HandoffCallItem.class) {
            return new RunItem.HandoffCallItem("support_triage",
                    new ToolCall("call_4", "transfer_to_billing_specialist", "{}", "fc_4"));
        }
        if (type == RunItem.HandoffOutputItem.class) {
            return new RunItem.HandoffOutputItem("support_triage", new ToolOutput("call_4", "{\"assistant\":\"billing_specialist\"}"),
                    "billing_specialist");
        }
        if (type == GuardrailResult.class) {
            return new GuardrailResult("priority", GuardrailResult.Kind.TOOL_INPUT, "billing_specialist", "call_3", true,
                    Map.of("priority", "P1"));
        }
        if (type == ApprovalRequest.class) {
            return approval("call_3");
        }
        if (type == Object.class) {
            return "Your refund of $450 is on its way.";
        }
        if (type == Throwable.class) {
            return ERROR;
        }
        if (type == RunFailure.class) {
            return RunFailure.of(ERROR);
        }
        if (type == RunEvent.class) {
            return new RunEvent.ToolCalled("run_nested", 4, "researcher", AT,
                    new RunItem.ToolCallItem("researcher", new ToolCall("call_9", "search", "{\"q\":\"refund policy\"}", null)));
        }
        throw new AssertionError(event.getSimpleName() + " has a field of type " + type.getTypeName()
                + " this test has no sample for: add one, and make sure EventCodec stores and reads it");
    }

    private static ApprovalRequest approval(String callId) {
        return new ApprovalRequest(callId, "billing_specialist", "process_refund", "{\"invoice_id\":\"INV-8821\",\"amount\":450}");
    }
}
